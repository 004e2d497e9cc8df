// Package awake keeps the computer from going to sleep on its own while
// uploads run: an idle laptop that suspends mid-upload stalls the queue
// until someone opens the lid.
package awake

import "sync"

// Inhibitor holds the machine awake while held.
type Inhibitor struct {
	app, reason string

	mu   sync.Mutex
	held bool
	sys  platform // the OS's way to hold; its methods run under mu
}

// New returns an Inhibitor that is not held. app and reason are shown by
// systems that list who keeps them awake (systemd-inhibit --list).
func New(app, reason string) *Inhibitor {
	return &Inhibitor{app: app, reason: reason}
}

// Hold(true) takes the inhibition if it is not held; Hold(false) lets it
// go. Repeating a call changes nothing. The error, where the platform
// refuses, is a sentence to show once; uploads go on without it.
func (i *Inhibitor) Hold(on bool) error {
	i.mu.Lock()
	defer i.mu.Unlock()
	if on == i.held {
		return nil
	}
	if on {
		if err := i.sys.take(i.app, i.reason); err != nil {
			return err
		}
		i.held = true
		return nil
	}
	i.held = false
	return i.sys.release()
}

// Held reports whether the inhibition is held.
func (i *Inhibitor) Held() bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.held
}

// Close lets the inhibition go and frees what holding it needed.
func (i *Inhibitor) Close() error {
	err := i.Hold(false)
	i.mu.Lock()
	defer i.mu.Unlock()
	i.sys.close()
	return err
}
