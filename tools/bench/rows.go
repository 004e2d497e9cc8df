package main

import (
	"fmt"
	"os"
	"text/tabwriter"
)

// row is one figure beyond the throughput table: a count of items and how
// long they took. Zero CPU and RSS mean not measured (in-process calls).
type row struct {
	Type   string  `json:"type"` // "row"
	Group  string  `json:"group"`
	Name   string  `json:"name"`
	N      int     `json:"n"`
	WallS  float64 `json:"wall_s"`
	CPUS   float64 `json:"cpu_s,omitempty"`
	RSSMiB float64 `json:"rss_mib,omitempty"`
	Rate   float64 `json:"per_s"`  // items per second
	PerUS  float64 `json:"per_us"` // microseconds per item
	Note   string  `json:"note,omitempty"`
}

func printRows(rows []row) {
	fmt.Println()
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "group\tmeasure\tn\twall s\tCPU s\tRSS MiB\tper s\tµs each\tnote")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.3f\t%s\t%s\t%.0f\t%.1f\t%s\n", r.Group, r.Name, r.N, r.WallS,
			orDash(r.CPUS, "%.2f"), orDash(r.RSSMiB, "%.1f"), r.Rate, r.PerUS, r.Note)
	}
	tw.Flush()
}

func orDash(v float64, format string) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprintf(format, v)
}
