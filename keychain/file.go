package keychain

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// fileData is the fallback file: destination → key → value.
type fileData struct {
	Version int                          `json:"version"`
	Secrets map[string]map[string]string `json:"secrets"`
}

func (f *fileData) put(dest, key, value string) {
	if f.Secrets == nil {
		f.Secrets = map[string]map[string]string{}
	}
	if f.Secrets[dest] == nil {
		f.Secrets[dest] = map[string]string{}
	}
	f.Secrets[dest][key] = value
}

func (f *fileData) remove(dest, key string) bool {
	if _, ok := f.Secrets[dest][key]; !ok {
		return false
	}
	delete(f.Secrets[dest], key)
	if len(f.Secrets[dest]) == 0 {
		delete(f.Secrets, dest)
	}
	return true
}

func (f *fileData) removeAll(dest string) bool {
	if _, ok := f.Secrets[dest]; !ok {
		return false
	}
	delete(f.Secrets, dest)
	return true
}

// loadFile reads the fallback file; a missing file is an empty one. Its
// errors never quote the file's content.
func loadFile(path string) (*fileData, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &fileData{Version: 1}, nil
	}
	if err != nil {
		return nil, err
	}
	if runtime.GOOS != "windows" {
		// Tighten a file someone loosened; best effort.
		if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
			_ = os.Chmod(path, 0o600)
		}
	}
	var f fileData
	if err := json.Unmarshal(data, &f); err != nil {
		// json's messages can quote a character of the content.
		return nil, fmt.Errorf("%s is not a valid secrets file", path)
	}
	return &f, nil
}

// editFile loads the fallback file, applies edit and, if edit reports a
// change, writes it back atomically (a 0600 temp file in the same
// directory, synced, renamed over the old one). A file left with no
// secrets is removed. Called with mu held.
func (k *Keychain) editFile(edit func(*fileData) bool) error {
	f, err := loadFile(k.path)
	if err != nil {
		return err
	}
	if !edit(f) {
		return nil
	}
	if len(f.Secrets) == 0 {
		if err := os.Remove(k.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	f.Version = 1
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return errors.New("encoding the secrets file failed")
	}
	return writeAtomic(k.path, data)
}

func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".secrets-*.tmp")
	if err != nil {
		return err
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			_ = tmp.Close()
			_ = os.Remove(name)
		}
	}()
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(name, path); err != nil {
		return err
	}
	ok = true
	if runtime.GOOS != "windows" {
		if d, err := os.Open(dir); err == nil {
			_ = d.Sync()
			_ = d.Close()
		}
	}
	return nil
}
