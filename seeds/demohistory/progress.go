package demohistory

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progressBar draws the COPY phase on stderr: a bar, evaluations sent and their rate (smoothed),
// the rows of every table and their rate, the time taken and the time left. On a terminal it redraws one line five times a second; into
// a file or a pipe it writes a line every ten seconds, which a log can keep.
type progressBar struct {
	w     io.Writer
	tty   bool
	total int64
	m     *meter
	start time.Time
	stop  chan struct{}
	wg    sync.WaitGroup

	lastAt   time.Time
	lastDone int64
	rate     float64 // evaluations a second, smoothed
}

func startProgress(w io.Writer, total int64, m *meter) *progressBar {
	b := &progressBar{w: w, total: max(total, 1), m: m, start: time.Now(), stop: make(chan struct{})}
	if w == nil {
		return b
	}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			b.tty = true
		}
	}
	b.lastAt = b.start
	every := 10 * time.Second
	if b.tty {
		every = 200 * time.Millisecond
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-b.stop:
				return
			case <-t.C:
				b.draw(false)
			}
		}
	}()
	return b
}

// finish draws the final state and ends the line.
func (b *progressBar) finish() {
	if b.w == nil {
		return
	}
	close(b.stop)
	b.wg.Wait()
	b.draw(true)
}

func (b *progressBar) draw(final bool) {
	now := time.Now()
	done := b.m.evaluations.Load()
	if dt := now.Sub(b.lastAt).Seconds(); dt > 0 {
		inst := float64(done-b.lastDone) / dt
		if b.rate == 0 {
			b.rate = inst
		} else {
			b.rate = 0.7*b.rate + 0.3*inst
		}
	}
	b.lastAt, b.lastDone = now, done
	elapsed := now.Sub(b.start)
	rate := b.rate
	if final && elapsed > 0 {
		rate = float64(done) / elapsed.Seconds()
	}
	frac := min(float64(done)/float64(b.total), 1)
	const width = 24
	filled := int(frac * width)
	eta := "--:--"
	if rate > 0 && done < b.total {
		eta = clock(time.Duration(float64(b.total-done) / rate * float64(time.Second)))
	} else if done >= b.total {
		eta = "0:00"
	}
	rows := b.m.rows.Load()
	rowRate := 0.0
	if elapsed > 0 {
		rowRate = float64(rows) / elapsed.Seconds()
	}
	line := fmt.Sprintf("demo [%s%s] %3.0f%% %s/%s evaluations %s/s · %s rows %s/s · %s ETA %s",
		strings.Repeat("█", filled), strings.Repeat("░", width-filled), 100*frac, thousands(done), thousands(b.total),
		thousands(int64(rate)), thousands(rows), thousands(int64(rowRate)), clock(elapsed), eta)
	switch {
	case b.tty && final:
		fmt.Fprintf(b.w, "\r%s\033[K\n", line)
	case b.tty:
		fmt.Fprintf(b.w, "\r%s\033[K", line)
	default:
		fmt.Fprintln(b.w, line)
	}
}

// clock formats a duration as m:ss or h:mm:ss.
func clock(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// thousands formats 1234567 as 1,234,567.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
