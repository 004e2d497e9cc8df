package receiver

import (
	"net"
	"strings"
	"sync"
	"time"
)

// LoopbackOnly reports whether listening on addr (HOST:PORT) keeps the
// receiver to this machine. An empty host, 0.0.0.0, [::] or a LAN address
// does not: other machines can then send files, so a token is required.
func LoopbackOnly(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	ips, err := net.LookupIP(host)
	if err != nil || len(ips) == 0 {
		return false
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return false
		}
	}
	return true
}

// lanIP picks the address other machines should use to reach a listener on
// all interfaces: a private IPv4 address if there is one, then any global
// one. Container and VM bridges come last; nil if there is none.
func lanIP(addrs []net.IP, bridge func(net.IP) bool) net.IP {
	rank := func(ip net.IP) int {
		r := 0
		switch {
		case ip.To4() != nil && ip.IsPrivate():
			r = 4
		case ip.To4() != nil:
			r = 3
		case ip.IsPrivate():
			r = 2
		default:
			r = 1
		}
		if bridge(ip) {
			r -= 4
		}
		return r
	}
	var best net.IP
	for _, ip := range addrs {
		if best == nil || rank(ip) > rank(best) {
			best = ip
		}
	}
	return best
}

// addrCache holds this machine's unicast addresses (not loopback, not
// link-local), read again when older than a few seconds: DHCP changes them.
type addrCache struct {
	mu      sync.Mutex
	at      time.Time
	ips     []net.IP
	bridges map[string]bool // ip → on a docker/VM bridge
}

func (c *addrCache) get() []net.IP {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.at) < 5*time.Second && c.ips != nil {
		return c.ips
	}
	c.at, c.ips, c.bridges = time.Now(), []net.IP{}, map[string]bool{}
	ifs, _ := net.Interfaces()
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok || ipn.IP.IsLoopback() || ipn.IP.IsLinkLocalUnicast() || !ipn.IP.IsGlobalUnicast() {
				continue
			}
			c.ips = append(c.ips, ipn.IP)
			for _, p := range []string{"docker", "br-", "veth", "virbr", "vmnet", "vboxnet", "cni", "flannel"} {
				if strings.HasPrefix(ifc.Name, p) {
					c.bridges[ipn.IP.String()] = true
				}
			}
		}
	}
	return c.ips
}

func (c *addrCache) bridge(ip net.IP) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bridges[ip.String()]
}
