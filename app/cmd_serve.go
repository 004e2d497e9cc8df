package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/ferry-app/ferry/engine/receiver"
)

func cmdServe(args []string, stdout io.Writer) error {
	var listen, dir string
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&listen, "listen", receiver.DefaultListen, "address to listen on (loopback by default; 0.0.0.0:1080 for the LAN)")
	fs.StringVar(&dir, "dir", defaultReceiveDir(), "folder where received files land")
	rest, err := parse(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		helpFor(fs, stdout, "ferry serve [--listen ADDR] [--dir DIR]")
		return nil
	}
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("serve takes no arguments (did you mean --dir %s?)", rest[0])
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	srv, err := receiver.New(receiver.Config{Dir: dir, Listen: listen, Logf: func(format string, args ...any) {
		fmt.Fprintf(stdout, time.Now().Format("15:04:05 ")+format+"\n", args...)
	}})
	if err != nil {
		return err
	}
	if err := srv.Start(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Ferry receiver: files land in %s\n", dir)
	fmt.Fprintf(stdout, "Upload URL: %s\n", srv.URL())
	fmt.Fprintf(stdout, "Send a file: %s upload --to %s FILE\n", invokedAs(), srv.URL())
	fmt.Fprintln(stdout, "Press Ctrl-C to stop.")

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	<-sigs
	signal.Stop(sigs)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(ctx)
}

func defaultReceiveDir() string {
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, "Ferry", "Received")
	}
	return "Ferry Received"
}

// invokedAs is how the user started Ferry ("./ferry" from make run), so
// the printed command works when pasted.
func invokedAs() string {
	if strings.ContainsRune(os.Args[0], filepath.Separator) {
		return os.Args[0]
	}
	return "ferry"
}
