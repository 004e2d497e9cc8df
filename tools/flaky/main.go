// Command flaky is a bad link for trying Ferry by hand: a TCP proxy that
// cuts every connection after a few megabytes, and can throttle or
// black-hole it.
//
//	go run ./tools/flaky -listen 127.0.0.1:1081 -to 127.0.0.1:1080 -cut-every 5MB
//	ferry upload --to http://127.0.0.1:1081/files/ big.mov
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/ferry-app/ferry/internal/tustest"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:1081", "address to listen on")
	to := flag.String("to", "127.0.0.1:1080", "server to forward to")
	cut := flag.String("cut-every", "5MB", "cut each connection after about this many bytes sent (0: never)")
	rate := flag.String("rate", "0", "bytes per second, client to server (0: unlimited)")
	hole := flag.String("blackhole-after", "0", "go silent (no error) after this many bytes on the first connection (0: never)")
	seed := flag.Int64("seed", time.Now().UnixNano(), "seed of the cut points")
	flag.Parse()

	f := tustest.Faults{CutSeed: *seed}
	for _, s := range []struct {
		v   string
		dst *int64
	}{{*cut, &f.CutEvery}, {*rate, &f.RateLimit}, {*hole, &f.BlackholeAfter}} {
		n, err := humanize.ParseBytes(s.v)
		if err != nil {
			fmt.Fprintf(os.Stderr, "flaky: %q is not a size\n", s.v)
			os.Exit(2)
		}
		*s.dst = int64(n)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(os.Stderr, "flaky: %v\n", err)
		os.Exit(1)
	}
	fl := tustest.NewFlaky(ln, *to, f)
	fmt.Printf("flaky link %s → %s: cut every ~%s, rate %s/s, black hole after %s\n", *listen, *to, *cut, *rate, *hole)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	<-sig
	fmt.Printf("flaky: %d connections, %d bytes forwarded to the server\n", fl.Connections(), fl.Forwarded())
	fl.Close()
}
