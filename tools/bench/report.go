package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// Aims (from the design): at 1 GiB ferry keeps ≥97% of raw throughput
// (<90% is a defect), uses ≤1.2× raw CPU, and stays under 40 MiB RSS,
// flat with size.
const (
	aimRatio    = 0.97
	defectRatio = 0.90
	aimCPU      = 1.2
	aimRSSMiB   = 40
	flatRSSMiB  = 5 // ferry RSS growth across sizes still called flat
)

// result is one file size: the best raw and ferry runs.
type result struct {
	Type     string  `json:"type"` // "result"
	Size     int64   `json:"size"`
	Label    string  `json:"label"`
	Skipped  string  `json:"skipped,omitempty"`
	Raw      *sample `json:"raw,omitempty"`
	Ferry    *sample `json:"ferry,omitempty"`
	Ratio    float64 `json:"ratio,omitempty"`     // ferry/raw throughput
	CPURatio float64 `json:"cpu_ratio,omitempty"` // ferry/raw CPU seconds
	Verdict  string  `json:"verdict,omitempty"`
}

// keepBest keeps the fastest run of each kind.
func (r *result) keepBest(kind string, m sample) {
	p := &r.Raw
	if kind == "ferry" {
		p = &r.Ferry
	}
	if *p == nil || m.Wall < (*p).Wall {
		*p = &m
	}
	if r.Raw != nil && r.Ferry != nil {
		r.Ratio = r.Ferry.MiBps / r.Raw.MiBps
		r.CPURatio = 0 // unknown when raw used no measurable CPU
		if r.Raw.CPUS > 0 {
			r.CPURatio = r.Ferry.CPUS / r.Raw.CPUS
		}
		r.Type = "result"
		r.Verdict = r.verdict()
	}
}

// verdict is one line judging this size against the aims.
func (r *result) verdict() string {
	if r.Skipped != "" {
		return r.Label + ": skipped (" + r.Skipped + ")"
	}
	tp := "ok"
	switch {
	case r.Size < 1<<30:
		tp = "info only (the aim is set at 1GiB; start-up weighs here)"
	case r.Ratio < defectRatio:
		tp = "DEFECT"
	case r.Ratio < aimRatio:
		tp = "below aim"
	}
	cpu := "ok"
	switch {
	case r.CPURatio == 0:
		cpu = "n/a (raw CPU ~0)"
	case r.CPURatio > aimCPU:
		cpu = "over aim"
	}
	rss := "ok"
	if r.Ferry.RSSMiB >= aimRSSMiB {
		rss = "over aim"
	}
	return fmt.Sprintf("%s: throughput %.2f× raw (aim ≥%.2f): %s; CPU %.2f× raw (aim ≤%.1f): %s; ferry RSS %.1f MiB (aim <%d): %s",
		r.Label, r.Ratio, aimRatio, tp, r.CPURatio, aimCPU, cpu, r.Ferry.RSSMiB, aimRSSMiB, rss)
}

// flatness compares ferry's peak RSS across the measured sizes.
func flatness(results []result) string {
	var lo, hi *result
	for i := range results {
		r := &results[i]
		if r.Ferry == nil {
			continue
		}
		if lo == nil || r.Size < lo.Size {
			lo = r
		}
		if hi == nil || r.Size > hi.Size {
			hi = r
		}
	}
	if lo == nil || lo == hi {
		return "ferry RSS vs size: needs two measured sizes"
	}
	d := hi.Ferry.RSSMiB - lo.Ferry.RSSMiB
	word := "flat"
	if d > flatRSSMiB {
		word = "GROWS with size"
	}
	return fmt.Sprintf("ferry RSS vs size: %.1f MiB at %s → %.1f MiB at %s (%+.1f MiB): %s",
		lo.Ferry.RSSMiB, lo.Label, hi.Ferry.RSSMiB, hi.Label, d, word)
}

func printTable(results []result) {
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "size\traw MiB/s\tferry MiB/s\tratio\traw CPU s\tferry CPU s\tCPU ratio\traw RSS MiB\tferry RSS MiB\t")
	for _, r := range results {
		if r.Skipped != "" {
			fmt.Fprintf(tw, "%s\tskipped\t\t\t\t\t\t\t\t\n", r.Label)
			continue
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%.3f\t%.3f\t%.3f\t%.2f\t%.1f\t%.1f\t\n",
			r.Label, r.Raw.MiBps, r.Ferry.MiBps, r.Ratio, r.Raw.CPUS, r.Ferry.CPUS, r.CPURatio, r.Raw.RSSMiB, r.Ferry.RSSMiB)
	}
	tw.Flush()
	fmt.Println()
	for _, r := range results {
		fmt.Println(r.verdict())
	}
	fmt.Println(flatness(results))
}

// env describes the machine the figures come from.
type env struct {
	Type      string `json:"type"` // "env"
	GoVersion string `json:"go_version"`
	CPUs      int    `json:"cpus"`
	CPUModel  string `json:"cpu_model,omitempty"`
	Date      string `json:"date"`
}

func environment() env {
	gv := runtime.Version()
	if out, err := exec.Command("go", "version").Output(); err == nil {
		gv = strings.TrimSpace(string(out))
	}
	return env{Type: "env", GoVersion: gv, CPUs: runtime.NumCPU(), CPUModel: cpuModel(),
		Date: time.Now().Format(time.RFC3339)}
}

// cpuModel reads the first "model name" from /proc/cpuinfo (Linux only).
func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func printEnv(e env) {
	fmt.Println(e.GoVersion)
	cpu := fmt.Sprintf("%d CPUs", e.CPUs)
	if e.CPUModel != "" {
		cpu += " (" + e.CPUModel + ")"
	}
	fmt.Println(cpu)
	fmt.Println(e.Date)
	fmt.Println()
}

func printJSON(v any) {
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
