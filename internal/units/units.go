// Package units is how Ferry writes and reads sizes and rates, in the
// window and on the command line alike: decimal SI units (1 kB = 1000 B,
// 1 MB = 1000 kB), as macOS, browsers and network speeds count. Input may
// also be in IEC units (KiB, MiB, GiB), which people paste from elsewhere.
package units

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/dustin/go-humanize"
)

// Size is n bytes at a glance: "0 B", "999 B", "1.2 kB", "524 kB", "3.4 GB".
func Size(n int64) string { return humanize.Bytes(uint64(max(n, 0))) }

// Rate is a speed in bytes per second: "524 kB/s".
func Rate(bytesPerSecond float64) string {
	if math.IsNaN(bytesPerSecond) || bytesPerSecond < 0 {
		bytesPerSecond = 0
	}
	return Size(int64(min(bytesPerSecond, math.MaxInt64/2))) + "/s"
}

// si are the units Exact writes, largest first.
var si = []struct {
	size int64
	name string
}{{1e12, "TB"}, {1e9, "GB"}, {1e6, "MB"}, {1e3, "kB"}}

// Exact is n as a person would type it, when an SI figure with at most
// two decimals says it exactly ("2 MB", "1.5 GB", "500 kB", "999 B"), so
// that Parse reads it back as n. Otherwise ok is false and text is Size's
// rounded figure (524288 bytes: "524 kB").
func Exact(n int64) (text string, ok bool) {
	if n < 0 {
		return Size(n), false
	}
	for _, u := range si {
		if n < u.size {
			continue
		}
		whole, frac := n/u.size, n%u.size
		if frac == 0 {
			return fmt.Sprintf("%d %s", whole, u.name), true
		}
		// Two decimals are a hundredth of the unit.
		if hundredth := u.size / 100; frac%hundredth == 0 {
			d := strings.TrimRight(fmt.Sprintf("%02d", frac/hundredth), "0")
			return fmt.Sprintf("%d.%s %s", whole, d, u.name), true
		}
		return Size(n), false
	}
	return fmt.Sprintf("%d B", n), true
}

// ErrSyntax: the text is not a number with a unit Parse knows.
var ErrSyntax = errors.New("not a size")

// ErrBits: the unit is one of bits ("Mb", "Mbps"), which would be eight
// times off; sizes and rates here are in bytes.
var ErrBits = errors.New("bits, not bytes")

// ErrRange: the size is negative or beyond what a 64-bit count holds.
var ErrRange = errors.New("size out of range")

// Parse reads a size or a rate as people type it: "2MB", "2 MB", "500kB",
// "500 KiB", "1.5GB", "10MiB/s", "2MBps", "1,000,000" or a bare number of
// bytes. SI and IEC units are both understood, in any letter case ("mb",
// "Mib"); a rate's "/s" is ignored.
func Parse(text string) (int64, error) {
	t := strings.TrimSpace(text)
	switch {
	case strings.HasSuffix(strings.ToLower(t), "/s"):
		t = strings.TrimSpace(t[:len(t)-2])
	case strings.HasSuffix(t, "Bps"):
		// Bytes a second; "Mbps" (bits) is left to fail: it would be
		// eight times too fast.
		t = strings.TrimSpace(t[:len(t)-2])
	}
	if bits(t) {
		return 0, fmt.Errorf("%q: %w", text, ErrBits)
	}
	if strings.HasPrefix(t, "-") {
		return 0, fmt.Errorf("%q: %w", text, ErrRange)
	}
	if t == "" || !strings.ContainsAny(t[:1], "0123456789.") {
		return 0, fmt.Errorf("%q: %w", text, ErrSyntax)
	}
	v, err := humanize.ParseBytes(t)
	if err != nil {
		if strings.Contains(err.Error(), "too large") {
			return 0, fmt.Errorf("%q: %w", text, ErrRange)
		}
		return 0, fmt.Errorf("%q: %w", text, ErrSyntax)
	}
	if v > math.MaxInt64 {
		return 0, fmt.Errorf("%q: %w", text, ErrRange)
	}
	return int64(v), nil
}

// bits: the text ends in a unit of bits: an upper-case prefix and a
// lower-case b ("Mb", "Gbps"), as network links are sold.
func bits(t string) bool {
	t = strings.TrimSuffix(strings.TrimSuffix(t, "ps"), "it")
	n := len(t)
	return n >= 2 && t[n-1] == 'b' && strings.IndexByte("KMGTPE", t[n-2]) >= 0
}
