package rectify

import (
	"time"

	"haochaping/internal/bjtime"
)

// The words of the loop: whom each step tells, and what — the notifications' kinds, titles and
// bodies — and the notes the system writes in the timeline. One home for each text: the actions
// and the deadline checks here send them, and the demo history (seeds/demohistory) writes what
// they would have written.

// Who a notification is for.
const (
	AudienceHandler = "handler" // the assignee
	AudienceHead    = "head"    // the heads of the responsible unit and of the handler's unit
	AudienceOffice  = "office"  // the office of the region
)

// SystemActor is who the timeline says acted when nobody did: the dispatcher, the reminders and
// the overdue sweep (method "system").
const SystemActor = "系统"

// Steps with deadlines.
const (
	StepCallback = "callback" // 回访核实, by callback_due
	StepRectify  = "rectify"  // 整改反馈, by rectify_due
)

// StepName is how staff call a step with a deadline.
func StepName(step string) string {
	if step == StepRectify {
		return "整改反馈"
	}
	return "回访核实"
}

// FormatDue shows a deadline the way staff read it.
func FormatDue(t time.Time) string {
	return t.In(bjtime.Location).Format("2006年1月2日 15:04")
}

// Notice is a notification before it has its recipients: the audience (notify finds who that
// is, and tells the office when nobody is), its kind, title and body.
type Notice struct {
	Audience, Kind, Title, Body string
}

// DispatchNotice tells the assignee of a new work order when its callback is due, or, when the
// responsible unit has nobody to assign it to, the office.
func DispatchNotice(number string, assigned bool, callbackDue time.Time) Notice {
	if !assigned {
		return Notice{AudienceOffice, "assigned", "差评工单 " + number + " 无人可分派", "承办单位没有在岗的负责人，请重新分派。"}
	}
	return Notice{AudienceHandler, "assigned", "新差评工单 " + number, "请在 " + FormatDue(callbackDue) + " 前完成回访核实。"}
}

// ReassignNotice tells the new handler of a reassigned order when the callback is due.
func ReassignNotice(number string, callbackDue time.Time) Notice {
	return Notice{AudienceHandler, "assigned", "工单 " + number + " 已分派给您", "请在 " + FormatDue(callbackDue) + " 前完成回访核实。"}
}

// ReturnNotice tells the office that a unit returned an order, and why.
func ReturnNotice(number, reason string) Notice {
	return Notice{AudienceOffice, "returned", "工单 " + number + " 被退回，请重新分派", reason}
}

// AppealNotice tells the office of an appeal and its grounds.
func AppealNotice(number, reason string) Notice {
	return Notice{AudienceOffice, "appeal", "工单 " + number + " 提出申诉", reason}
}

// RulingNotice tells the handler the office's ruling on the appeal: upheld, or rejected with
// the new rectification deadline.
func RulingNotice(number string, upheld bool, note string, rectifyDue time.Time) Notice {
	if upheld {
		return Notice{AudienceHandler, "appeal", "工单 " + number + " 申诉成立", note}
	}
	return Notice{AudienceHandler, "appeal", "工单 " + number + " 申诉驳回，请限期整改", note + "（整改期限 " + FormatDue(rectifyDue) + "）"}
}

// ExtensionRequestNotice tells the office that a unit asks for a longer deadline.
func ExtensionRequestNotice(number, reason string, until time.Time) Notice {
	return Notice{AudienceOffice, "extension", "工单 " + number + " 申请延期", reason + "（申请期限 " + FormatDue(until) + "）"}
}

// ExtensionRulingNotice tells the handler whether the extension was granted.
func ExtensionRulingNotice(number string, granted bool, until time.Time, note string) Notice {
	if granted {
		return Notice{AudienceHandler, "extension", "工单 " + number + " 延期至 " + FormatDue(until), note}
	}
	return Notice{AudienceHandler, "extension", "工单 " + number + " 延期申请未获批准", note}
}

// SuperviseNotices tell the handler and the unit heads of the office's supervision (督办).
func SuperviseNotices(number, note string) []Notice {
	title := "工单 " + number + " 被督办"
	return []Notice{{AudienceHandler, "supervised", title, note}, {AudienceHead, "supervised", title, note}}
}

// ReminderNote is the timeline's note of a reminder before a step's deadline.
func ReminderNote(step string) string { return StepName(step) + "即将到期" }

// ReminderNotice reminds the handler of a step due soon.
func ReminderNotice(number, step string, due time.Time) Notice {
	what := StepName(step)
	return Notice{AudienceHandler, "reminder", "工单 " + number + " " + what + "即将到期",
		"请在 " + FormatDue(due) + " 前完成" + what + "。"}
}

// OverdueNote is the timeline's note of a step found overdue; EscalateNote that of the
// escalation that follows it.
func OverdueNote(step string) string { return StepName(step) + "已逾期" }

// EscalateNote: see OverdueNote.
const EscalateNote = "已上报单位负责人和政务服务管理机构"

// OverdueNotices tell the handler that a step is overdue, and escalate it to the unit heads and
// the office.
func OverdueNotices(number, step string, due time.Time) []Notice {
	what := StepName(step)
	title, body := "工单 "+number+" "+what+"逾期", what+"期限为 "+FormatDue(due)+"，已逾期未完成。"
	return []Notice{{AudienceHandler, "overdue", title, body}, {AudienceHead, "escalated", title, body},
		{AudienceOffice, "escalated", title, body}}
}
