package evaluation

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"haochaping/internal/problem"
)

// MaxCommentRunes is the longest comment a citizen may write (characters, not bytes).
const MaxCommentRunes = 500

// clockSkew is how far ahead of the server a device's clock may run.
const clockSkew = 5 * time.Minute

// ValidateStatic checks what can be checked without the database — level, comment, subject
// and times; the reasons only for their number, since their set follows the service rated
// (ResolveReasons, once the subject is known). Every refusal is a *problem.Error.
func ValidateStatic(s *Submission, now time.Time) error {
	if !s.Channel.Valid() {
		return problem.Invalid("invalid_channel", "channel", "未知的评价渠道")
	}
	if !s.Level.Valid() {
		return problem.Invalid("invalid_level", "level", "请选择评价等级：1（非常不满意）至 5（非常满意）")
	}
	if len(s.Reasons) > 10 {
		return problem.Invalid("invalid_reason", "reasons", "评价指标过多")
	}
	if s.Level.Bad() && len(s.Reasons) == 0 {
		return problem.Invalid("reasons_required", "reasons", "差评须至少选择一项评价指标")
	}
	if !utf8.ValidString(s.Comment) {
		return problem.Invalid("invalid_comment", "comment", "评价内容含有无法识别的字符")
	}
	if n := utf8.RuneCountInString(s.Comment); n > MaxCommentRunes {
		return problem.Invalid("comment_too_long", "comment",
			fmt.Sprintf("评价内容不得超过 %d 字（当前 %d 字）", MaxCommentRunes, n))
	}
	switch {
	case s.CaseNo == "" && s.CaseID == 0 && s.TicketNo == "":
		return problem.Invalid("subject_required", "case_no", "请提供办件编号或排队号")
	case s.TicketNo != "" && s.WindowID == 0:
		return problem.Invalid("window_required", "window", "排队号评价须来自登记到窗口的评价器")
	case s.TicketNo != "" && s.CaseNo == "" && s.ServedAt.IsZero():
		return problem.Invalid("served_at_required", "served_at", "请提供服务时间")
	case s.Stage != "" && !s.Stage.Valid():
		return problem.Invalid("invalid_stage", "stage", "评价环节须为 accept（受理）或 complete（办结）")
	}
	if !s.RatedAt.IsZero() && s.RatedAt.After(now.Add(clockSkew)) {
		return problem.Invalid("invalid_time", "rated_at", "评价时间晚于当前时间")
	}
	if !s.ServedAt.IsZero() && s.ServedAt.After(now.Add(clockSkew)) {
		return problem.Invalid("invalid_time", "served_at", "服务时间晚于当前时间")
	}
	if s.MustBeApplicant && (s.Evaluator == nil || (s.Evaluator.IDNumber == "" && s.Evaluator.Phone == "")) {
		return problem.Invalid("evaluator_required", "user", "请提供登录用户的证件号码或手机号码")
	}
	s.CallbackPhone = strings.TrimSpace(s.CallbackPhone)
	if s.CallbackPhone != "" && !isPhone(s.CallbackPhone) {
		return problem.Invalid("invalid_phone", "callback_phone", "手机或电话号码格式不正确")
	}
	if s.Evaluator != nil {
		if err := validatePerson(s.Evaluator, "evaluator"); err != nil {
			return err
		}
	}
	return nil
}

// ResolveReasons maps the reasons a device sent — codes or names — to the codes of the set of
// the given kind, refusing one that is not in it.
func ResolveReasons(reasons []string, set *ReasonSet, kind ReasonKind) ([]string, error) {
	codes := []string{} // never nil: the column is NOT NULL
	seen := map[string]bool{}
	for _, r := range reasons {
		code, ok := set.Resolve(kind, r)
		if !ok {
			return nil, problem.Invalid("invalid_reason", "reasons",
				fmt.Sprintf("“%s”不是%s评价指标", truncate(r, 20), kindName(kind)))
		}
		if !seen[code] {
			seen[code] = true
			codes = append(codes, code)
		}
	}
	return codes, nil
}

func validatePerson(p *Person, field string) error {
	p.Name = strings.TrimSpace(p.Name)
	p.Phone = strings.TrimSpace(p.Phone)
	p.IDNumber = strings.ToUpper(strings.TrimSpace(p.IDNumber))
	if utf8.RuneCountInString(p.Name) > 100 || !utf8.ValidString(p.Name) {
		return problem.Invalid("invalid_person", field+".name", "姓名或名称过长或含有无法识别的字符")
	}
	if p.Phone != "" && !isPhone(p.Phone) {
		return problem.Invalid("invalid_phone", field+".phone", "手机或电话号码格式不正确")
	}
	if p.IDNumber != "" && !isIDNumber(p.IDNumber) {
		return problem.Invalid("invalid_id_number", field+".id_number", "证件号码格式不正确")
	}
	return nil
}

// isPhone accepts a mainland mobile number or a fixed line with area code: digits and one dash.
func isPhone(s string) bool {
	if len(s) < 7 || len(s) > 20 {
		return false
	}
	for i, r := range s {
		if !(r >= '0' && r <= '9') && !(r == '-' && i > 0) {
			return false
		}
	}
	return true
}

// isIDNumber accepts the 18-character resident ID (last may be X) or an 18-character unified
// social credit code of an enterprise: digits and capital letters.
func isIDNumber(s string) bool {
	if len(s) != 18 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9') && !(r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

func kindName(k ReasonKind) string {
	if k == Online {
		return "网上服务"
	}
	return "现场服务"
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
