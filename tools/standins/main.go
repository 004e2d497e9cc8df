// Command standins serves a real tusd with Ferry's stand-ins beside it
// (Cloudflare Stream, Vimeo, a backend handing out one-time URLs), for
// trying Ferry by hand against them; the tests use the same ones.
//
//	go run ./tools/standins -for 20m -file /tmp/standins
//
// The file gets the addresses, one a line: tus, Cloudflare's API, Vimeo's
// API, the backend, and tusd's store; creating FILE.stop ends the run
// early. At the end it prints what the stand-ins counted.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/ferry-app/ferry/internal/tustest"
)

func main() {
	d := flag.Duration("for", 10*time.Minute, "how long to serve")
	file := flag.String("file", "", "where to write the addresses (FILE.stop ends the run)")
	flag.Parse()
	h := &tustest.Hand{}
	defer h.Close()

	srv := tustest.New(h, tustest.WithFaults(tustest.Faults{CutEvery: 50 << 20, CutSeed: 1, RateLimit: 150 << 20}))
	cf := tustest.NewCloudflare(h, srv, tustest.CloudflareAccount, "cf-token")
	cf.ExpireAfter(8 * time.Second) // the first one-time URL dies mid-upload
	go func() {
		for cf.URLsIssued() == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		cf.ExpireAfter(time.Hour)
	}()
	vm := tustest.NewVimeo(h, srv, "vimeo-token")
	bk := tustest.NewBackend(h, cf, "X-App-Key", "app-key")
	addrs := srv.URL + "\n" + cf.Base + "\n" + vm.Base + "\n" + bk.URL + "\n" + srv.Dir + "\n"
	fmt.Printf("tus %s\ncloudflare %s (token cf-token)\nvimeo %s (token vimeo-token)\nbackend %s (X-App-Key: app-key)\nstore %s\n",
		srv.URL, cf.Base, vm.Base, bk.URL, srv.Dir)
	if *file != "" {
		if err := os.WriteFile(*file, []byte(addrs), 0o644); err != nil {
			h.Fatalf("cannot write %s: %v", *file, err)
		}
	}
	deadline := time.After(*d)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-deadline:
			fmt.Printf("cloudflare: %d URLs, violations %v, leaked %d; vimeo %d; backend asked %d; tusd created %d\n",
				cf.URLsIssued(), cf.Violations(), cf.LeakedAuth(), vm.Created(), bk.Asked(), srv.Created())
			return
		case <-tick.C:
			if _, err := os.Stat(*file + ".stop"); *file != "" && err == nil {
				deadline = time.After(0)
			}
		}
	}
}
