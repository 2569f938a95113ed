package evaluation

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"haochaping/internal/problem"
)

// DefaultKioskIdleSeconds is how long a kiosk waits without a touch before it goes back to its
// start screen, where no region sets kiosk_idle_seconds: the next citizen must not find the
// last one's case on the screen.
const DefaultKioskIdleSeconds = 60

// KioskHall is the hall a kiosk stands in, as its start screen names it, with the settings of
// the hall's region that the kiosk runs on.
type KioskHall struct {
	Name        string
	RegionID    int64
	IdleSeconds int // kiosk_idle_seconds
}

// KioskHall reads the hall of a kiosk.
func (s *Service) KioskHall(ctx context.Context, hallID int64) (*KioskHall, error) {
	h := &KioskHall{}
	var idle string
	err := s.db.Pool.QueryRow(ctx, `SELECT h.name, h.region_id, COALESCE(region_setting(h.region_id, 'kiosk_idle_seconds'), '')
		FROM halls h WHERE h.id = $1`, hallID).Scan(&h.Name, &h.RegionID, &idle)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, problem.NotFound("hall_not_found", "自助终端登记的大厅不存在")
	}
	if err != nil {
		return nil, fmt.Errorf("kiosk hall %d: %w", hallID, err)
	}
	if h.IdleSeconds = atoi(idle); h.IdleSeconds <= 0 {
		h.IdleSeconds = DefaultKioskIdleSeconds
	}
	return h, nil
}

// CaseAtKiosk is a case as the kiosk of hall hallID shows it before the citizen rates. It is
// resolved as Ingest resolves a kiosk's record — the same query, the same check of the place
// (a case of the kiosk's hall; of the hall's region and below where kiosk_scope is "region") —
// so that the kiosk never offers to rate a case whose rating it would see refused.
func (s *Service) CaseAtKiosk(ctx context.Context, caseNo string, hallID int64) (*LinkCase, error) {
	subj, err := s.resolveCase(ctx, &Submission{Channel: Kiosk, CaseNo: caseNo, HallID: hallID})
	if err != nil {
		return nil, err
	}
	if subj.placeRefusal != nil {
		return nil, subj.placeRefusal
	}
	return s.openCase(ctx, *subj.caseID, subj.stage)
}
