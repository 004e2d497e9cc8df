// Package localfile is the local side of an upload: the files a path
// names (Expand: folders walked, links followed, partial and hidden files
// skipped), a file's identity (size, times, file id and sampled hashes, so
// a file replaced under its name is never resumed), how the file system
// compares paths (PathKey), and Open, which lets the user rename or
// delete a file while it is read.
package localfile
