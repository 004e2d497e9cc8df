package awake

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
)

// platform runs caffeinate while held: -i holds off idle sleep, and -w
// ends it with us, so a crashed Ferry leaves nothing awake behind.
type platform struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when caffeinate has exited
}

func (p *platform) take(app, reason string) error {
	cmd := exec.Command("/usr/bin/caffeinate", "-i", "-w", strconv.Itoa(os.Getpid()))
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("Cannot keep the computer awake: caffeinate did not start (%w)", err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	p.cmd, p.done = cmd, done
	return nil
}

func (p *platform) release() error {
	if p.cmd == nil {
		return nil
	}
	cmd, done := p.cmd, p.done
	p.cmd, p.done = nil, nil
	select {
	case <-done:
		return nil // it ended on its own; nothing holds the machine now
	default:
	}
	if err := cmd.Process.Kill(); err != nil {
		return fmt.Errorf("Could not let the computer sleep again: caffeinate (pid %d) did not stop (%w)", cmd.Process.Pid, err)
	}
	<-done
	return nil
}

func (p *platform) close() {}
