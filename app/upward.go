package app

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/emmansun/gmsm/sm2"

	"haochaping/evaluation"
	"haochaping/internal/config"
	"haochaping/internal/database"
	"haochaping/internal/pii"
	"haochaping/upward"
	"haochaping/upward/gm"
)

// upwardKeys are the keys of the report to the provincial platform: the configured ones, or —
// in demo mode, when none are configured — keys made from the data key, the same for the sender
// and the simulator, so that the demo speaks the real envelope without anyone handling keys.
// Outside demo mode a profile that encrypts or signs needs its keys configured.
func upwardKeys(cfg *config.Config, p *upward.Profile) (upward.Keys, error) {
	u := cfg.Upward
	k := upward.Keys{AppMark: u.AppMark}
	if cfg.Demo && u.SM4Key == "" && u.SignKey == "" && u.PlatformKey == "" {
		derive := func(purpose string, n int) []byte {
			b, _ := hkdf.Key(sha256.New, cfg.DataKey, nil, "haochaping upward demo "+purpose, n)
			return b
		}
		ours, err := sm2.NewPrivateKey(derive("sender sm2", 32))
		if err != nil {
			return k, fmt.Errorf("upward demo keys: %w", err)
		}
		platform, err := sm2.NewPrivateKey(derive("platform sm2", 32))
		if err != nil {
			return k, fmt.Errorf("upward demo keys: %w", err)
		}
		k.SM4Key, k.SignKey, k.VerifyKey = derive("sm4", 16), ours, &ours.PublicKey
		k.PlatformKey, k.DecryptKey = &platform.PublicKey, platform
		return k, nil
	}
	var err error
	if p.Crypto.Encrypt == "sm4" {
		if k.SM4Key, err = hex.DecodeString(u.SM4Key); err != nil || len(k.SM4Key) != 16 {
			return k, errors.New("HAOCHAPING_UPWARD_SM4_KEY: want 32 hex digits (the SM4 key shared with the platform)")
		}
	}
	if p.Crypto.Sign == "sm2" {
		if k.SignKey, err = gm.PrivateKey(u.SignKey); err != nil {
			return k, fmt.Errorf("HAOCHAPING_UPWARD_SIGN_KEY: %w", err)
		}
		k.VerifyKey = &k.SignKey.PublicKey
	}
	if p.Crypto.Encrypt == "sm2" {
		if k.PlatformKey, err = gm.PublicKey(u.PlatformKey); err != nil {
			return k, fmt.Errorf("HAOCHAPING_UPWARD_PLATFORM_KEY: %w", err)
		}
	}
	return k, nil
}

// newUpward assembles the report in the platform's format, or nil when no profile is set (the
// old JSON of evaluation/upward.go then runs) or no platform is named.
func newUpward(cfg *config.Config, db *database.DB, keys *pii.Keys) (*upward.Sender, *upward.Profile, error) {
	if cfg.Upward.Profile == "" {
		return nil, nil, nil
	}
	p, err := upward.LoadProfile(cfg.Upward.Profile)
	if err != nil {
		return nil, nil, fmt.Errorf("HAOCHAPING_UPWARD_PROFILE: %w", err)
	}
	k, err := upwardKeys(cfg, p)
	if err != nil {
		return nil, nil, err
	}
	headers := map[string]string{}
	for h, setting := range p.Headers {
		if setting == "tenancy_id" {
			headers[h] = cfg.Upward.TenancyID
		}
	}
	return &upward.Sender{DB: db, PII: keys, Profile: p, Keys: k, URL: cfg.UpwardURL, Headers: headers, Now: cfg.Now,
		Acknowledged: evaluation.MarkAcknowledged}, p, nil
}

// upwardReport is the upward_report job in the platform's format: make the records due, then
// send them.
type upwardReport struct{ s *upward.Sender }

func (u upwardReport) ReportUpward(ctx context.Context) (int64, error) {
	if u.s.URL == "" {
		return 0, nil
	}
	if _, _, err := upward.Enqueue(ctx, u.s.DB, u.s.Now()); err != nil {
		return 0, err
	}
	sent, err := u.s.Send(ctx)
	return int64(sent.Acknowledged), err
}

// UpwardSimulator is the provincial platform simulator of the demo (HAOCHAPING_UPWARD_SIMULATOR),
// holding the platform's side of the demo keys; nil outside demo mode or without a profile.
func (a *App) UpwardSimulator() *upward.Simulator {
	if !a.cfg.Demo || a.upward == nil {
		return nil
	}
	sim := upward.NewSimulator(a.upward.Profile, a.upward.Keys, 0.02, uint64(time.Now().UnixNano()))
	sim.Now = a.cfg.Now
	return sim
}

// NewUpwardSimulator is the simulator on its own (haochaping upward simulate): the profile of
// the settings and the platform's side of the demo keys, which only demo mode has — a real
// platform's private key is not ours to hold.
func NewUpwardSimulator(cfg *config.Config, refuseRate float64) (*upward.Simulator, error) {
	if !cfg.Demo {
		return nil, errors.New("the simulator holds the platform's side of the demo keys: it runs in demo mode only (HAOCHAPING_DEMO=1)")
	}
	if cfg.Upward.Profile == "" {
		return nil, errors.New("HAOCHAPING_UPWARD_PROFILE names no profile: the simulator checks messages against one")
	}
	p, err := upward.LoadProfile(cfg.Upward.Profile)
	if err != nil {
		return nil, fmt.Errorf("HAOCHAPING_UPWARD_PROFILE: %w", err)
	}
	k, err := upwardKeys(cfg, p)
	if err != nil {
		return nil, err
	}
	if k.DecryptKey == nil && p.Crypto.Encrypt == "sm2" {
		return nil, errors.New("the simulator has no platform key: configured keys are a real platform's; unset them for the demo's")
	}
	sim := upward.NewSimulator(p, k, refuseRate, uint64(time.Now().UnixNano()))
	sim.Now = cfg.Now
	return sim, nil
}
