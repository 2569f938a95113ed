package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"haochaping/app"
	"haochaping/channels"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

type benchMachine struct {
	CPUs       int    `json:"cpus"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	Go         string `json:"go"`
	PostgreSQL string `json:"postgresql"`
}

// benchSystem is the system under test: the HTTP server and the worker in this process,
// exactly what `haochaping all` runs.
type benchSystem struct {
	app    *app.App
	url    string
	client *http.Client
	stop   func()
}

func startBenchSystem(ctx context.Context, w *benchWorld) (*benchSystem, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	cfg := *w.env.Cfg
	cfg.PublicURL = "http://" + ln.Addr().String()
	// The load comes from one address and a few devices, far past any citizen's pace: the
	// benchmark measures the system, not the rate limiter's refusals.
	cfg.RatePerDevice, cfg.RatePerAddress = 0, 0
	a := app.New(&cfg, w.env.DB, w.env.Keys, w.env.Redis, w.env.Log)

	workCtx, stopWork := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := a.HTTP.Listener(ln); err != nil {
			w.env.Log.Error("bench: HTTP server", "err", err)
		}
	}()
	go func() {
		defer wg.Done()
		if err := a.RunWorker(workCtx); err != nil {
			w.env.Log.Error("bench: worker", "err", err)
		}
	}()
	transport := &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute}
	sys := &benchSystem{app: a, url: cfg.PublicURL, client: &http.Client{Transport: transport, Timeout: 30 * time.Second}}
	var once sync.Once
	sys.stop = func() {
		once.Do(func() {
			// Idle keep-alive connections would hold the server's shutdown until its timeout.
			transport.CloseIdleConnections()
			_ = a.HTTP.ShutdownWithTimeout(10 * time.Second)
			stopWork()
			wg.Wait()
			a.Close()
		})
	}
	return sys, nil
}

// benchPad is a demo window pad: it signs with its own secret and knows who serves there.
type benchPad struct {
	id, secret, window string
}

// windowPads lists the demo window pads with their secrets.
func windowPads(ctx context.Context, a *app.App) ([]benchPad, error) {
	list, err := a.Devices.List(ctx, true, true)
	if err != nil {
		return nil, err
	}
	var pads []benchPad
	for _, d := range list {
		if d.Channel == "window" && d.Enabled && d.Secret != "" {
			pads = append(pads, benchPad{id: d.ID, secret: d.Secret, window: d.WindowCode})
		}
	}
	if len(pads) == 0 {
		return nil, errors.New("the seeded schema has no demo window pads")
	}
	return pads, nil
}

// The offline reason codes (seeds/org.yaml) a bad review at a window may give.
var benchReasons = []string{"attitude", "efficiency", "quality", "overall", "environment"}

// reviewBody is bad review i: level 1 or 2 with a reason, served a few minutes ago by one of the
// window's two demo staff, with a ticket no other review of the run has — so that no two bodies,
// and so no two signatures, are the same.
func reviewBody(i int, pad benchPad, now time.Time) []byte {
	body, _ := json.Marshal(map[string]any{
		"ticket_no": fmt.Sprintf("B%07d", i),
		"staff_no":  fmt.Sprintf("%s-%d", pad.window, 1+i%2),
		"level":     1 + i%2,
		"reasons":   []string{benchReasons[i%len(benchReasons)]},
		"comment":   fmt.Sprintf("压测差评第 %d 条：等候时间过长", i+1),
		"served_at": now.Add(-3 * time.Minute).Format(time.RFC3339),
	})
	return body
}

// post sends one signed review and reads the answer whole, so the connection is kept alive.
func (sys *benchSystem) post(ctx context.Context, pad benchPad, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sys.url+windowPath, strings.NewReader(string(body)))
	if err != nil {
		return 0, err
	}
	ts := time.Now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(channels.HeaderDeviceID, pad.id)
	req.Header.Set(channels.HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(channels.HeaderSignature, channels.Sign(pad.secret, ts, http.MethodPost, windowPath, body))
	resp, err := sys.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusCreated {
		return resp.StatusCode, errors.New(strings.TrimSpace(string(answer)))
	}
	return resp.StatusCode, nil
}

// machine describes where the run took place.
func machine(ctx context.Context, w *benchWorld) benchMachine {
	m := benchMachine{CPUs: runtime.NumCPU(), OS: runtime.GOOS, Arch: runtime.GOARCH, Go: runtime.Version()}
	if err := w.admin.QueryRow(ctx, "SHOW server_version").Scan(&m.PostgreSQL); err != nil {
		m.PostgreSQL = "unknown (" + err.Error() + ")"
	}
	return m
}

func loginOffice(ctx context.Context, sys *benchSystem) (string, error) {
	body := strings.NewReader(`{"username":"office","password":"demo1234"}`)
	req, _ := http.NewRequestWithContext(ctx, "POST", sys.url+"/api/v1/auth/login", body)
	req.Header.Set("Content-Type", "application/json")
	resp, err := sys.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var ans struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil || ans.Token == "" {
		return "", fmt.Errorf("login as the demo office: %d %v", resp.StatusCode, err)
	}
	return ans.Token, nil
}
