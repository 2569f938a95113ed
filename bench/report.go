package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// PrintDispatch writes the report as a table or as JSON.
func PrintDispatch(out io.Writer, r *DispatchReport, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	p := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	row := func(label, format string, args ...any) {
		p("  %s "+format, append([]any{padRight(label, 20)}, args...)...)
	}
	kept := "dropped"
	if r.SchemaKept {
		kept = "kept"
	}
	m, l, in, d := r.Machine, r.Load, r.Ingest, r.Dispatch
	p("haochaping bench dispatch — 差评派单压测")
	row("schema", "%s (%s)", r.Schema, kept)
	row("machine 机器", "%d CPUs, %s/%s, %s, PostgreSQL %s", m.CPUs, m.OS, m.Arch, m.Go, m.PostgreSQL)
	rate := "as fast as the clients allow"
	if l.OfferedRate > 0 {
		rate = fmt.Sprintf("%g/s offered (open loop)", l.OfferedRate)
	}
	row("load 负载", "%d bad reviews over %d window pads, %s, %d clients", l.Reviews, l.Pads, rate, l.Clients)
	p("")
	p("ingest 提交 (client side, through HTTP)")
	row("answered 201", "%d of %d sent; other statuses: %s; no answer: %d", in.Created, in.Sent, statusList(in.Statuses), in.NoAnswer)
	for _, ex := range in.Examples {
		row("", "e.g. %s", ex)
	}
	row("send phase", "%.2f s, %.1f reviews/s achieved", in.Seconds, in.Throughput)
	row("HTTP answer", "p50 %.1f ms, p99 %.1f ms, max %.1f ms", in.HTTPP50ms, in.HTTPP99ms, in.HTTPMaxms)
	if l.OfferedRate > 0 {
		row("send lag", "at worst %.1f ms behind schedule", in.MaxLagms)
	}
	p("")
	if r.Invariants == nil {
		p("commit → work order: not measured, the run stopped before")
		row("run 结果", "FAILED: %s", strings.Join(r.Problems, "; "))
		return nil
	}
	p("commit → work order 差评入库至生成工单 (server clock)")
	row("work orders", "%d for %d bad reviews; last seen %.2f s after the last answer", d.WorkOrders, d.BadReviews, d.WaitSeconds)
	row("p50 / p90 / p99", "%.1f ms / %.1f ms / %.1f ms", d.P50ms, d.P90ms, d.P99ms)
	row("max", "%.1f ms", d.Maxms)
	row("dispatch rate", "%.1f work orders/s (first to last)", d.Throughput)
	p("  (work_orders.created_at − evaluations.created_at; evaluations.created_at is the start of the")
	p("   group-commit transaction, a few ms before its commit, so the figure slightly overstates")
	p("   commit → work order; work_orders.created_at is the start of the dispatch transaction)")
	p("")
	p("invariants 闭环不变量 (haochaping check)")
	for _, inv := range r.Invariants {
		mark := "ok  "
		if inv.Broken > 0 {
			mark = "FAIL"
		}
		p("  %s %-30s %s", mark, inv.Name, inv.Rule)
	}
	row("one per bad review", "%v (每条差评恰有一张工单)", d.WorkOrders == d.BadReviews)
	p("")
	goal := "not met 未达标"
	switch {
	case !r.Goal.Tested:
		goal = "not tested (the run offered less than the goal's rate, or failed)"
	case r.Goal.Met:
		goal = "met 达标"
	}
	row("goal 目标", "p99 < %.0f ms at %.0f reviews/s: %s", r.Goal.P99ms, r.Goal.Rate, goal)
	result := "ok"
	if !r.OK {
		result = "FAILED: " + strings.Join(r.Problems, "; ")
	}
	row("run 结果", "%s", result)
	return nil
}

// padRight pads s to width terminal columns; a Chinese character takes two.
func padRight(s string, width int) string {
	w := 0
	for _, r := range s {
		w++
		if r >= 0x2E80 { // CJK and full-width forms
			w++
		}
	}
	return s + strings.Repeat(" ", max(width-w, 0))
}

// statusList writes statuses as "422×3, 500×1", or "none".
func statusList(statuses map[string]int) string {
	if len(statuses) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(statuses))
	for k := range statuses {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s×%d", k, statuses[k])
	}
	return strings.Join(parts, ", ")
}

type latencySummary struct {
	Requests int     `json:"requests"`
	P50ms    float64 `json:"p50_ms"`
	P95ms    float64 `json:"p95_ms"`
	P99ms    float64 `json:"p99_ms"`
	MaxMs    float64 `json:"max_ms"`
}

func summarise(ds []time.Duration) latencySummary {
	sort.Slice(ds, func(a, b int) bool { return ds[a] < ds[b] })
	pick := func(p float64) float64 {
		if len(ds) == 0 {
			return 0
		}
		i := int(p*float64(len(ds)-1) + 0.5)
		return ms(ds[i])
	}
	return latencySummary{Requests: len(ds), P50ms: pick(0.50), P95ms: pick(0.95), P99ms: pick(0.99), MaxMs: pick(1)}
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func PrintMeasures(out io.Writer, r *MeasuresReport, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	fmt.Fprintf(out, "haochaping bench measures — schema %s\n", r.Schema)
	fmt.Fprintf(out, "  machine 机器        %d CPUs, %s/%s, %s, PostgreSQL %s\n", r.Machine.CPUs, r.Machine.OS, r.Machine.Arch, r.Machine.Go, r.Machine.PostgreSQL)
	fmt.Fprintf(out, "  evaluations 评价量  %d", r.Evaluations)
	if r.LoadSeconds > 0 {
		fmt.Fprintf(out, " (loaded and rolled up in %.0f s)", r.LoadSeconds)
	}
	fmt.Fprintln(out)
	fmt.Fprintf(out, "\noverview 概览, GET /api/v1/stats/overview through HTTP, %d requests over %d queries\n", r.Overview.Requests, len(r.Queries))
	fmt.Fprintf(out, "  p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms — goal p95 < %d ms: %s\n",
		r.Overview.P50ms, r.Overview.P95ms, r.Overview.P99ms, r.Overview.MaxMs, goalOverviewP95.Milliseconds(), met(r.Goals["overview_p95_under_50ms"]))
	for _, q := range r.Queries {
		fmt.Fprintf(out, "    %-24s p50 %6.1f ms, p95 %6.1f ms\n", q.Name, q.Latency.P50ms, q.Latency.P95ms)
	}
	fmt.Fprintf(out, "plain GROUP BY over the raw tables, %d runs of the same queries\n", r.RawGroupBy.Requests)
	fmt.Fprintf(out, "  p50 %.1f ms, p95 %.1f ms, max %.1f ms — %.0f× the rollups' p50\n", r.RawGroupBy.P50ms, r.RawGroupBy.P95ms, r.RawGroupBy.MaxMs, r.Ratio)
	fmt.Fprintf(out, "rollup of 100,000 new evaluations 增量汇总: %s s (median %.2f s) — goal < %.0f s: %s\n",
		joinFloats(r.Rollups), median(r.Rollups), goalRollup100k.Seconds(), met(r.Goals["rollup_100k_under_2s"]))
	fmt.Fprintln(out, "\nchecks 核对 (rollups against the raw rows)")
	for _, c := range r.Checks {
		fmt.Fprintln(out, "  "+c)
	}
	return nil
}

func met(ok bool) string {
	if ok {
		return "met 达标"
	}
	return "NOT met 未达标"
}

func joinFloats(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.2f", x)
	}
	return strings.Join(parts, ", ")
}
