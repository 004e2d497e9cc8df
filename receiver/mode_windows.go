package receiver

// userMode: a received file inherits the folder's access list on Windows.
func userMode(string) {}

// syncDir: Windows flushes a rename with the file system's journal.
func syncDir(string) {}
