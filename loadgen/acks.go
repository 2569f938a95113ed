package loadgen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
)

// Ack is one acknowledged rating, a line of the acks file: what the server answered for it.
type Ack struct {
	Kind    string `json:"kind"`    // "ack"
	Key     string `json:"key"`     // its idempotency key, as the server keeps it (evaluations.idem_key)
	Channel string `json:"channel"` // the channel it was sent on
	Device  string `json:"device"`
	CaseNo  string `json:"case_no"` // the case and stage it rates: the rating's identity
	Stage   string `json:"stage"`
	ID      int64  `json:"id"`     // the evaluation the server answered
	Status  string `json:"status"` // created or duplicate
	Bad     bool   `json:"bad"`
	// Repeat: a request sent again on purpose (a device resending it, or the citizen on the
	// portal), whose answer must name the original's ID.
	Repeat bool `json:"repeat,omitempty"`
}

// Summary is the last line of the acks file: what the load sent, for check's figures.
type Summary struct {
	Kind         string `json:"kind"` // "summary"
	Sent         int    `json:"sent"` // ratings sent (new and repeats)
	Acknowledged int    `json:"acknowledged"`
	Refused      int    `json:"refused"`
	NoAnswer     int    `json:"no_answer"`
	Repeats      int    `json:"repeats"`
}

// ackWriter appends the acks as JSON lines; safe for concurrent use.
type ackWriter struct {
	mu sync.Mutex
	w  *bufio.Writer
	f  *os.File
}

func createAcks(path string) (*ackWriter, error) {
	if path == "" {
		return &ackWriter{}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create acks file: %w", err)
	}
	return &ackWriter{w: bufio.NewWriter(f), f: f}, nil
}

func (a *ackWriter) write(v any) error {
	if a.w == nil {
		return nil
	}
	line, err := json.Marshal(v)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	_, err = a.w.Write(append(line, '\n'))
	return err
}

func (a *ackWriter) close() error {
	if a.w == nil {
		return nil
	}
	if err := a.w.Flush(); err != nil {
		a.f.Close()
		return fmt.Errorf("write acks file: %w", err)
	}
	return a.f.Close()
}

// ReadAcks reads an acks file: the acks, and the summary when the load got to write it (nil
// when it was interrupted first).
func ReadAcks(path string) ([]Ack, *Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read acks: %w", err)
	}
	defer f.Close()
	return decodeAcks(f)
}

func decodeAcks(r io.Reader) ([]Ack, *Summary, error) {
	var acks []Ack
	var sum *Summary
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var kind struct {
			Kind string `json:"kind"`
		}
		if err := json.Unmarshal(sc.Bytes(), &kind); err != nil {
			return nil, nil, fmt.Errorf("acks line %d: %w", n, err)
		}
		switch kind.Kind {
		case "ack":
			var a Ack
			if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
				return nil, nil, fmt.Errorf("acks line %d: %w", n, err)
			}
			acks = append(acks, a)
		case "summary":
			sum = &Summary{}
			if err := json.Unmarshal(sc.Bytes(), sum); err != nil {
				return nil, nil, fmt.Errorf("acks line %d: %w", n, err)
			}
		default:
			return nil, nil, fmt.Errorf("acks line %d: unknown kind %q", n, kind.Kind)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("read acks: %w", err)
	}
	return acks, sum, nil
}
