package citizen

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"haochaping/evaluation"
	"haochaping/web/page"
)

// kioskView is the kiosk's one page: every screen of it (start, rating, thank-you) is in the
// HTML, and kiosk.js shows one at a time, so that the kiosk goes on rating while its network
// is down — the reason sets included, since a case looked up offline brings none.
type kioskView struct {
	Hall         string
	IdleSeconds  int
	ThanksSecs   int   // how long the thank-you stays before the start screen comes back
	NowMillis    int64 // the server's business clock: the kiosk stamps its ratings by it
	CallbackDays int   // the hall's region's callback_working_days, for a bad review rated offline
	Levels       []levelChoice
	Reasons      []kioskReasonSet
	MaxChars     int
	Keys         [][]string // the rows of the on-screen keypad
}

// kioskReasonSet is one reason set as the page carries it: 现场 for the cases of the hall, 网上
// for a case handled online that a kiosk of kiosk_scope "region" may rate.
type kioskReasonSet struct {
	Kind    evaluation.ReasonKind
	Reasons []evaluation.Reason
}

// kioskKeys are the keys of the keypad: a case number is letters, digits, "-" and "_" (the
// cases table's CHECK), digits first since most are all digits.
var kioskKeys = [][]string{
	{"1", "2", "3", "4", "5", "6", "7", "8", "9", "0"},
	{"Q", "W", "E", "R", "T", "Y", "U", "I", "O", "P"},
	{"A", "S", "D", "F", "G", "H", "J", "K", "L", "-"},
	{"Z", "X", "C", "V", "B", "N", "M", "_"},
}

// kioskThanksSeconds bounds how long the thank-you stays: never longer than the idle time.
const kioskThanksSeconds = 15

// kioskHallID is the hall of the kiosk requireDevice admitted; the registry gives every kiosk
// one, so its absence is a fault, not the citizen's.
func kioskHallID(c *fiber.Ctx) (int64, error) {
	dev := deviceOf(c)
	if dev == nil || dev.HallID == nil {
		return 0, fmt.Errorf("kiosk page: device %v has no hall", dev)
	}
	return *dev.HallID, nil
}

// showKiosk is GET /kiosk: the kiosk's page, for the browser of a paired kiosk.
func (d Deps) showKiosk(c *fiber.Ctx) error {
	hallID, err := kioskHallID(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	hall, err := d.Evaluation.KioskHall(ctx, hallID)
	if err != nil {
		return err
	}
	days, err := d.Rectify.RegionDeadlineDays(ctx, hall.RegionID)
	if err != nil {
		return err
	}
	set, err := d.Evaluation.Reasons(ctx)
	if err != nil {
		return err
	}
	v := kioskView{
		Hall: hall.Name, IdleSeconds: hall.IdleSeconds,
		ThanksSecs: min(kioskThanksSeconds, hall.IdleSeconds), NowMillis: d.Evaluation.Now().UnixMilli(),
		CallbackDays: days.Callback, Levels: levelChoices, MaxChars: evaluation.MaxCommentRunes, Keys: kioskKeys,
		Reasons: []kioskReasonSet{
			{evaluation.Offline, set.Of(evaluation.Offline)},
			{evaluation.Online, set.Of(evaluation.Online)},
		},
	}
	return d.Pages.Render(c, fiber.StatusOK, "kiosk", page.View{Title: "评价办件服务", Layout: "screen", Data: v})
}
