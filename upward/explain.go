package upward

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// What the office reads of a refusal or a failure: the platform's words are "field: reason"
// parts (describe, in sender.go) under the platform's own field names, and a failed attempt is
// our Go error; Explain says either in plain Chinese. Scrub keeps the applicant's identity out
// of what is shown, whatever the platform echoes back.

// fieldNames are the Chinese names of the fields of the profiles (seeds/upward/*.yaml), by the
// platform's name and by ours (upward.Record).
var fieldNames = map[string]string{
	"projectNo": "办件编号", "project_no": "办件编号",
	"taskCode": "事项编码", "task_code": "事项编码",
	"taskHandleItem": "业务办理项编码", "task_handle_item": "业务办理项编码",
	"pf": "评价渠道", "channel": "评价渠道",
	"satisfaction": "满意度", "level": "满意度",
	"evalDetail": "评价指标", "reasons": "评价指标",
	"writingEvaluation": "文字评价", "comment": "文字评价",
	"assessTime": "评价时间", "rated_at": "评价时间",
	"assessNumber": "评价次数", "assess_number": "评价次数",
	"proStatus": "办件状态", "pro_status": "办件状态", "status": "办件状态",
	"userProp": "申请人类型", "user_prop": "申请人类型",
	"certKey": "申请人证件号码", "cert_key": "申请人证件号码",
	"userName": "申请人姓名", "user_name": "申请人姓名",
	"deptCode": "部门编码", "dept_code": "部门编码",
	"proDepart": "办理部门", "dept_name": "办理部门",
	"areaCode": "行政区划代码", "area_code": "行政区划代码",
	"acceptDate": "受理时间", "accepted_at": "受理时间",
	"resultDate": "办结时间", "completed_at": "办结时间",
	"promiseTime": "办件类型（即办/承诺）", "promise_type": "办件类型（即办/承诺）",
	"rectification": "整改情况", "answer": "答复内容",
}

// reasonWords say our checks' reasons (record.go) of a field (%s) in full sentences.
var reasonWords = []struct{ prefix, say string }{
	{"必填项缺失", "缺少%s"},
	{"不是时间", "%s不是有效的时间"},
	{"没有对应代码", "%s没有对应的平台代码"},
	{"代码不在代码表中", "%s不在平台的代码表中"},
	{"格式不符", "%s格式不符合平台要求"},
	{"时间格式应为", "%s的时间格式应为"},
	{"超过", "%s超过"},
	{"未定义的字段", "%s是平台不接收的字段"},
}

// identityFields are the fields that carry the applicant's identity in any profile.
var identityFields = sync.OnceValue(func() map[string]bool {
	out := map[string]bool{"cert_key": true, "user_name": true, "certKey": true, "userName": true}
	for _, name := range ProfileNames() {
		p, err := LoadProfile(name)
		if err != nil {
			continue
		}
		for _, f := range p.Evaluation {
			if f.Identity {
				out[f.Name], out[f.From] = true, true
			}
		}
	}
	return out
})

// Scrub removes from a refusal or a failure what an identity field's part says after its
// reason ("certKey: 格式不符: 3704…" becomes "certKey: 格式不符"): a platform may echo the
// value it refused.
func Scrub(text string) string {
	if text == "" {
		return ""
	}
	parts := strings.Split(text, "；")
	for i, part := range parts {
		field, reason, ok := strings.Cut(part, ": ")
		if !ok || !identityFields()[strings.TrimSpace(field)] {
			continue
		}
		if head, _, cut := strings.Cut(reason, ":"); cut {
			reason = head
		}
		if head, _, cut := strings.Cut(reason, "："); cut {
			reason = head
		}
		parts[i] = field + ": " + strings.TrimSpace(reason)
	}
	return strings.Join(parts, "；")
}

var (
	answered = regexp.MustCompile(`^upward: the platform answered (\d{3})[^:]*: ?(.*)$`)
	ourCheck = regexp.MustCompile(`\s*\([a-z_]+\)$`)
)

// Explain says a refusal or the last failure in plain Chinese: each part of the platform's
// "field: reason" with the field's Chinese name, and our own errors as what happened.
func Explain(text string) string {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return ""
	case strings.HasPrefix(text, "upward: the platform answered"):
		m := answered.FindStringSubmatch(text)
		if m == nil {
			return "省平台未接收本批数据，系统将自动重试"
		}
		var body struct {
			Message string `json:"message"`
		}
		if json.Unmarshal([]byte(m[2]), &body) == nil && body.Message != "" {
			return fmt.Sprintf("省平台未接收本批数据（%s：%s），系统将自动重试", m[1], body.Message)
		}
		return fmt.Sprintf("省平台未接收本批数据（答复 %s），系统将自动重试", m[1])
	case strings.HasPrefix(text, "upward: send "), strings.HasPrefix(text, "upward: request"):
		if strings.Contains(text, "deadline exceeded") || strings.Contains(text, "timeout") {
			return "连接省平台超时，系统将自动重试"
		}
		return "无法连接省平台，系统将自动重试"
	case strings.HasPrefix(text, "upward:"):
		return "上报时出错，系统将自动重试"
	}
	parts := strings.Split(text, "；")
	for i, part := range parts {
		field, reason, ok := strings.Cut(part, ": ")
		name, known := fieldNames[strings.TrimSpace(field)]
		if !ok || !known {
			continue
		}
		reason = ourCheck.ReplaceAllString(strings.TrimSpace(reason), "")
		said := name + "：" + reason
		for _, w := range reasonWords {
			if rest, found := strings.CutPrefix(reason, w.prefix); found {
				said = fmt.Sprintf(w.say, name)
				if rest = strings.TrimSpace(strings.TrimPrefix(rest, ":")); rest != "" {
					if strings.HasSuffix(w.say, "超过") || strings.HasSuffix(w.say, "应为") {
						said += " " + rest
					} else {
						said += "（" + rest + "）"
					}
				}
				break
			}
		}
		parts[i] = said
	}
	return strings.Join(parts, "；")
}

// AssessName is what a record is, by its assess_number: 0 the case's own record (办件信息),
// 1 the rating, 2 the citizen's rating of the fix.
func AssessName(n int16) string {
	switch n {
	case 0:
		return "办件信息"
	case 1:
		return "评价"
	case 2:
		return "整改评价"
	}
	return fmt.Sprintf("第 %d 类记录", n)
}
