//go:build !windows

package control

import (
	"context"
	"net"
	"os"
	"path/filepath"
)

// listen opens the data dir's socket, open to its owner only. We hold
// the queue's lock: a socket left there is a dead process's. cleanup
// takes it away.
func listen(dataDir string) (ln net.Listener, cleanup func(), err error) {
	path := filepath.Join(dataDir, SocketName)
	os.Remove(path)
	if ln, err = net.Listen("unix", path); err != nil {
		return nil, nil, err
	}
	os.Chmod(path, 0o600)
	return ln, func() { os.Remove(path) }, nil
}

// dial reaches the Ferry that holds the data dir.
func dial(ctx context.Context, dataDir string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "unix", filepath.Join(dataDir, SocketName))
}
