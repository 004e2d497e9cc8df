package tustest

import (
	"os"
	"testing"
	"time"
)

// TestStandinsByHand runs tusd with the stand-ins for trying Ferry by
// hand; it runs only when FERRY_STANDINS_FOR is a duration.
func TestStandinsByHand(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("FERRY_STANDINS_FOR"))
	if err != nil {
		t.Skip("set FERRY_STANDINS_FOR=10m to serve the stand-ins by hand")
	}
	srv := New(t, WithFaults(Faults{CutEvery: 50 << 20, CutSeed: 1, RateLimit: 150 << 20}))
	cf := NewCloudflare(t, srv, CloudflareAccount, "cf-token")
	cf.ExpireAfter(8 * time.Second) // the first one-time URL dies mid-upload
	go func() {
		for cf.URLsIssued() == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		cf.ExpireAfter(time.Hour)
	}()
	vm := NewVimeo(t, srv, "vimeo-token")
	bk := NewBackend(t, cf, "X-App-Key", "app-key")
	t.Logf("tus %s\ncloudflare %s\nvimeo %s\nbackend %s\nstore %s", srv.URL, cf.Base, vm.Base, bk.URL, srv.Dir)
	os.WriteFile(os.Getenv("FERRY_STANDINS_FILE"), []byte(srv.URL+"\n"+cf.Base+"\n"+vm.Base+"\n"+bk.URL+"\n"+srv.Dir+"\n"), 0o644)
	deadline := time.After(d)
	tick := time.NewTicker(time.Second)
	for {
		select {
		case <-deadline:
			t.Logf("cloudflare: %d URLs, violations %v, leaked %d; vimeo %d; backend asked %d; tusd created %d",
				cf.URLsIssued(), cf.Violations(), cf.LeakedAuth(), vm.Created(), bk.Asked(), srv.Created())
			return
		case <-tick.C:
			if _, err := os.Stat(os.Getenv("FERRY_STANDINS_FILE") + ".stop"); err == nil {
				deadline = time.After(0)
			}
		}
	}
}
