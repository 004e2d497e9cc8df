package units

import (
	"errors"
	"math"
	"testing"
)

func TestSizeIsDecimalSI(t *testing.T) {
	for n, want := range map[int64]string{
		-5: "0 B", 0: "0 B", 999: "999 B", 1000: "1.0 kB", 1024: "1.0 kB", 512 << 10: "524 kB",
		500_000: "500 kB", 1_234_567: "1.2 MB", 82_854_982: "83 MB", 3_400_000_000: "3.4 GB",
	} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
	for bps, want := range map[float64]string{0: "0 B/s", -1: "0 B/s", math.NaN(): "0 B/s", 524288: "524 kB/s", 12.5e6: "12 MB/s", math.Inf(1): "4.6 EB/s"} {
		if got := Rate(bps); got != want {
			t.Errorf("Rate(%v) = %q, want %q", bps, got, want)
		}
	}
}

func TestParseTakesSIAndIEC(t *testing.T) {
	for in, want := range map[string]int64{
		"2MB": 2_000_000, "2 MB": 2_000_000, " 2mb ": 2_000_000, "500kB": 500_000, "500 KB": 500_000,
		"500 KiB": 500 << 10, "500kib": 500 << 10, "1.5GB": 1_500_000_000, "1.5 GiB": 3 << 29,
		"10MiB/s": 10 << 20, "10 MB/s": 10_000_000, "2MBps": 2_000_000, "1,000,000": 1_000_000,
		"1048576": 1 << 20, "0": 0, "12 B": 12, "5M": 5_000_000, "5Mi": 5 << 20, ".5 kB": 500,
	} {
		got, err := Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for in, want := range map[string]error{
		"": ErrSyntax, "fast": ErrSyntax, "MB": ErrSyntax, "1 XB": ErrSyntax, "2 MB MB": ErrSyntax,
		"-5MB": ErrRange, "20 EB": ErrRange, "99999999999999999999999": ErrRange,
		"2 Mbps": ErrBits, "2 Mb/s": ErrBits, "100 Mbit": ErrBits, "1 Gb": ErrBits,
	} {
		if got, err := Parse(in); !errors.Is(err, want) {
			t.Errorf("Parse(%q) = %d, %v; want %v", in, got, err, want)
		}
	}
}

func TestExactReadsBack(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0 B", 999: "999 B", 1000: "1 kB", 500_000: "500 kB", 2_000_000: "2 MB", 1_500_000: "1.5 MB",
		2_250_000_000: "2.25 GB", 1_010_000: "1.01 MB", 3_000_000_000_000: "3 TB",
	} {
		got, ok := Exact(n)
		if got != want || !ok {
			t.Errorf("Exact(%d) = %q, %v; want %q", n, got, ok, want)
		}
		if back, err := Parse(got); err != nil || back != n {
			t.Errorf("%d shown as %q reads back as %d, %v", n, got, back, err)
		}
	}
	for n, want := range map[int64]string{512 << 10: "524 kB", 1 << 20: "1.0 MB", 1_001: "1.0 kB", -1: "0 B"} {
		if got, ok := Exact(n); got != want || ok {
			t.Errorf("Exact(%d) = %q, %v; want the rounded %q", n, got, ok, want)
		}
	}
}
