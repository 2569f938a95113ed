package loadgen

import (
	"fmt"
	"io"
	"strings"
)

// Print writes the report: the counts, then the final line
// `throughput=<n>/s p50=<ms> p99=<ms>` (acknowledged ratings per second over the send phase;
// the latency of the rating requests, retries included, from the first attempt).
func Print(w io.Writer, r *Report) error {
	{
		s := r.Ratings
		fmt.Fprintf(w, "requests      %d rating requests in %.1f s (%d cases pushed)\n", r.Requests, r.Seconds, s.Cases)
		fmt.Fprintf(w, "sent          %d ratings (%d of them repeats)\n", s.Sent, s.Repeats)
		fmt.Fprintf(w, "acknowledged  %d\n", s.Acknowledged)
		fmt.Fprintf(w, "refused       %d%s\n", s.RefusedTotal(), byKind(s.Refused))
		fmt.Fprintf(w, "no answer     %d\n", s.NoAnswer)
		fmt.Fprintf(w, "repeats       %d answered with the original's id, %d otherwise\n", s.RepeatsSameID, s.Repeats-s.RepeatsSameID)
		for _, e := range s.RepeatsOther {
			fmt.Fprintf(w, "              %s\n", e)
		}
		failed := 0
		for _, n := range s.FailedAttempts {
			failed += n
		}
		fmt.Fprintf(w, "retried       %d attempts%s\n", failed, byKind(s.FailedAttempts))
	}
	_, err := fmt.Fprintf(w, "throughput=%.1f/s p50=%.1f p99=%.1f\n", r.Throughput, r.Ratings.P50ms, r.Ratings.P99ms)
	return err
}

func byKind(m map[string]int) string {
	if len(m) == 0 {
		return ""
	}
	parts := make([]string, 0, len(m))
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s: %d", k, m[k]))
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
