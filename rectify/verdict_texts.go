package rectify

import (
	"time"

	"haochaping/internal/bjtime"
)

// The words of the evaluator's verdict (verdict.go), beside the loop's others (texts.go): the
// timeline's note of a reopening, the notifications to staff, and the text message that asks
// the evaluator for their verdict.

// ReopenNote is the timeline's note when the evaluator's 不满意 sends an order back, and the
// reason of its new deadline.
const ReopenNote = "评价人对整改结果不满意，退回重新整改"

// ReopenNotices tell the handler and the unit heads that the evaluator sent the order back,
// with the new deadline.
func ReopenNotices(number string, rectifyDue time.Time) []Notice {
	title := "工单 " + number + " 评价人对整改不满意，已退回重新整改"
	body := "请在 " + FormatDue(rectifyDue) + " 前重新整改并反馈。"
	return []Notice{{AudienceHandler, "verdict", title, body}, {AudienceHead, "verdict", title, body}}
}

// VerdictNotices tell the handler the evaluator's verdict; a second 不满意, which does not
// reopen the order, is also the office's to know.
func VerdictNotices(number string, v Verdict, final bool) []Notice {
	title := "工单 " + number + " 评价人评价整改：" + v.Name()
	if !final {
		return []Notice{{AudienceHandler, "verdict", title, "评价人已对整改结果作出评价。"}}
	}
	body := "该工单已退回重新整改过一次，评价人仍不满意。工单不再退回，请关注。"
	return []Notice{{AudienceHandler, "verdict", title, body}, {AudienceOffice, "verdict", title, body}}
}

// VerdictRequestSMS is the text message sent to a real-name evaluator once the unit fed back:
// the service, the unit, the link that shows the progress and takes the verdict, and until
// when. No name and no number of anyone. explained: the unit explained rather than changed
// anything (解释说明), and the message says so.
func VerdictRequestSMS(item, unit string, explained bool, link string, due time.Time) string {
	what := "您的差评"
	if item != "" {
		what = "您对“" + item + "”的差评"
	}
	done := "已整改"
	if explained {
		done = "已作出解释说明"
	}
	d := due.In(bjtime.Location)
	return "【政务服务好差评】" + what + "，" + unit + done + "并向您反馈。请打开链接查看处理情况并评价整改结果（至" +
		d.Format("1月2日") + "有效）：" + link
}
