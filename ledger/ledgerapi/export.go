package ledgerapi

import (
	"bytes"
	"cmp"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"haochaping/access"
	"haochaping/internal/bjtime"
	"haochaping/internal/problem"
	"haochaping/ledger"
	"haochaping/web/session"
)

// XLSX is the media type of an Excel workbook (.xlsx).
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// HeaderLedgerRows is the header of an exported ledger that says how many data rows it holds.
const HeaderLedgerRows = "X-Ledger-Rows"

// ledgerNames are the ledgers' Chinese names, for the file names.
var ledgerNames = map[ledger.Kind]string{ledger.Work: "工作台账", ledger.Problems: "问题整改台账", ledger.Rectification: "差评整改台账"}

// export is GET /ledgers/export: a ledger as an Excel workbook, as the user may see it (see
// ledger.Service.Export). Query: kind (work, problem or problems, rectification; required),
// department (a code: the sheet of that unit; a unit login gets its own by default), status
// (its code or Chinese name), from and to (YYYY-MM-DD, both included: the due date, or for the
// rectification ledger the day rated). The workbook is built whole before anything is sent,
// so that a failure answers a JSON error rather than half a file.
func (h *handlers) export(c *fiber.Ctx) error {
	kind, err := exportKind(c.Query("kind"))
	if err != nil {
		return err
	}
	var f ledger.ExportFilter
	if v := strings.TrimSpace(c.Query("status")); v != "" {
		s, ok := ledger.StatusFromName(v)
		if !ok {
			return problem.Invalid("invalid_status", "status",
				"status 须为 not_started、in_progress、completed、overdue、ongoing 或其中文名称（未开始、推进中、已完成、逾期、持续推进）")
		}
		f.Status = s
	}
	if f.From, f.To, err = period(c.Query("from"), c.Query("to"), "from", "to"); err != nil {
		return err
	}
	actor := session.UserOf(c)
	// The unit the file is named after: the one asked for, else a unit login's own.
	unitName, unitCode := "全部", "all"
	if code := strings.TrimSpace(c.Query("department")); code != "" {
		id, name, err := h.svc.UnitByCode(c.UserContext(), code)
		if p, ok := problem.As(err); ok && p.Code == "department_not_found" {
			return problem.Invalid("unknown_department", "department", "单位编码不存在："+code)
		}
		if err != nil {
			return err
		}
		f.Department, unitName, unitCode = id, name, code
	} else if actor.Scope.Kind == access.ScopeDepartment {
		unitName, unitCode = cmp.Or(actor.Scope.Name, actor.Scope.Code), actor.Scope.Code
	}
	var buf bytes.Buffer
	n, err := h.svc.Export(c.UserContext(), actor, kind, f, &buf)
	if err != nil {
		return err
	}
	day := bjtime.Day(h.svc.Clock()).Format("20060102")
	name := ledgerNames[kind] + "-" + fileSafe(unitName) + "-" + day + ".xlsx"
	ascii := "ledger-" + string(kind) + "-" + asciiSafe(unitCode) + "-" + day + ".xlsx"
	c.Set(fiber.HeaderContentType, XLSX)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+ascii+`"; filename*=UTF-8''`+rfc5987(name))
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(HeaderLedgerRows, strconv.Itoa(n))
	return c.Send(buf.Bytes())
}

// exportKind reads the kind of ledger to export; "problems" is the command line's spelling.
func exportKind(v string) (ledger.Kind, error) {
	switch strings.TrimSpace(v) {
	case "work":
		return ledger.Work, nil
	case "problem", "problems":
		return ledger.Problems, nil
	case "rectification":
		return ledger.Rectification, nil
	case "":
		return "", problem.Invalid("invalid_kind", "kind", "请指明台账：kind 须为 work、problem 或 rectification")
	}
	return "", problem.Invalid("invalid_kind", "kind", "kind 须为 work、problem 或 rectification")
}

// fileSafe replaces the characters file systems refuse in a name.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, s)
}

// asciiSafe keeps the letters, digits, '-' and '_' of s, for the ASCII file name.
func asciiSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// rfc5987 percent-encodes a UTF-8 value for filename* (RFC 5987 / RFC 8187): every byte but
// the attr-chars.
func rfc5987(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.IndexByte("!#$&+-.^_`|~", ch) >= 0 {
			b.WriteByte(ch)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[ch>>4])
		b.WriteByte(hex[ch&0x0f])
	}
	return b.String()
}
