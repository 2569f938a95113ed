package citizen

import (
	"github.com/gofiber/fiber/v2"

	"haochaping/channels/kiosk"
	"haochaping/internal/problem"
)

// kioskRecords is POST /kiosk/records: the kiosk page's buffer of ratings, uploaded by kiosk.js
// under the kiosk channel's batch contract ({"records": [{seq, case_no, stage, level, reasons,
// comment, rated_at}]}) — the same function as the signed API's, the device being the one of
// the browser's device session, the CSRF header checked before. Each record is answered
// created, duplicate or rejected, and leaves the kiosk's buffer; an outage (5xx) keeps them all.
//
// The page tells the citizen at the kiosk nothing of a refused record — they may be long gone,
// and the next one has nothing to do with it — so every refusal is logged here, with the
// device, the record's sequence number and case, for the office to see.
func (d Deps) kioskRecords(c *fiber.Ctx) error {
	dev := deviceOf(c)
	ans, err := kiosk.Upload(c.UserContext(), d.Evaluation, d.Log, dev, c.Body())
	if p, ok := problem.As(err); ok && p.Status < 500 {
		d.Log.Warn("kiosk page upload refused", "device", dev.ID, "code", p.Code, "message", p.Message)
		return kioskProblem(c, p)
	}
	if err != nil {
		return err
	}
	for i, r := range ans.Results {
		if r.Status != "rejected" || r.Error == nil {
			continue
		}
		var seq any
		if r.Seq != nil {
			seq = *r.Seq
		}
		d.Log.Warn("kiosk rating refused", "device", dev.ID, "seq", seq, "case_no", ans.Records[i].CaseNo, "code", r.Code, "message", r.Message)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(ans)
}
