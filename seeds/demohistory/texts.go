package demohistory

// What people write: comments by reason, and the words of each step of the loop. Short lists,
// drawn at random: enough for a screen of work orders not to look copied.

// badComments are comments of bad reviews by reason code (the reason set's codes; an unknown
// code takes the generic ones).
var badComments = map[string][]string{
	"efficiency": {"排队等了一个多小时，窗口只开了两个", "材料交了三次还没办下来", "说好三天办结，拖了一周",
		"系统一直卡顿，办个业务用了一上午", "叫号太慢，中午还停止办理", "审批进度查不到，也没人通知"},
	"attitude": {"工作人员态度生硬，问两句就不耐烦", "窗口人员一直玩手机", "咨询问题被推来推去",
		"说话很冲，让人很不舒服", "没有一次性告知需要的材料"},
	"quality": {"业务不熟练，反复查询也说不清", "材料要求前后说法不一致", "填表指导不到位，白跑一趟",
		"给的答复和规定不一样"},
	"environment": {"大厅太拥挤，座位不够", "空调坏了，等候区很热", "自助机故障没人管", "停车太难，指引标识不清楚"},
	"guide":       {"办事指南写得不清楚，材料清单和实际不一致", "网上说明与窗口要求不一样", "指南里的链接打不开"},
	"convenience": {"网上申请还要到现场交纸质材料", "手机上传照片总是失败", "一件事要登录好几个系统"},
	"usability":   {"页面卡顿，提交后没有反应", "验证码总是收不到", "操作流程太复杂，找不到入口", "提交后显示系统错误"},
	"overall":     {"整体体验很差", "办事太难了", "希望改进服务"},
}

var genericBad = []string{"体验不好，希望改进", "不满意", "问题没有解决"}

var mediumComments = []string{"还可以，就是等的时间有点长", "基本满意，希望再快一点", "流程有点复杂", "服务一般"}

var goodComments = []string{"办事效率高，点赞！", "工作人员很耐心，解释得很清楚", "一次办好，不用跑腿，很方便",
	"服务热情周到", "网上就办完了，太方便了", "比以前快多了", "帮办代办很贴心", "环境好，秩序井然"}

// reasonWeight: how often each reason is named in a bad review.
var reasonWeight = map[string]float64{
	"efficiency": 3.5, "attitude": 2.5, "quality": 2, "environment": 1, "overall": 1,
	"guide": 2, "convenience": 2.5, "usability": 2.5,
}

// The loop's words.
var (
	callbackFacts = []string{"已电话联系评价人，核实情况属实，当日窗口排队时间较长", "已核实，工作人员未一次性告知所需材料",
		"经调取监控核实，工作人员服务用语不规范", "核实为系统故障导致办理时间延长", "已与评价人沟通，评价人反映的问题基本属实",
		"经核实，评价人对办理时限存在误解", "已核实，自助终端打印模块故障"}
	anonymousFacts = []string{"匿名评价，已调取办件记录和监控核实", "匿名评价无法回访，已核查当日办理情况",
		"经查阅办件过程记录，情况基本属实"}
	unreached  = []string{"电话未接通，已发送短信说明", "评价人表示不方便接听，约定改日联系"}
	deadlineRs = []string{"涉及系统改造，需协调技术单位", "需调整窗口设置和人员排班", "需与上级部门协调业务规则",
		"需采购更换自助终端配件"}
	measureTexts = []string{"已对窗口人员进行批评教育并组织服务规范培训", "已增开窗口，高峰期实行弹性排班",
		"已修订一次性告知单，张贴于窗口", "已修复系统故障并安排专人值守", "已更换自助终端故障部件",
		"已优化办事指南，补充材料清单样表", "已建立首问负责台账，专人跟踪办理进度"}
	explanations = []string{"该事项办理时限由法规规定，已向评价人解释说明", "所需材料为法定要件，无法减免，已耐心解释",
		"办理需经上级部门审核，属正常流程，已说明"}
	appealReasons = []string{"评价人所述情况与事实不符，有监控录像为证", "评价人因不符合办理条件未获办理，属恶意差评",
		"评价内容与本单位业务无关，属误评"}
	rulingsUpheld   = []string{"经核查，申诉理由成立，该差评不计入考核", "证据充分，同意申诉"}
	rulingsRejected = []string{"申诉理由不充分，请限期整改", "经核查，服务确有不足，申诉不予支持"}
	returnReasons   = []string{"该办件不属于本窗口受理范围，请重新分派", "评价对象有误，应为其他部门办理事项"}
	extensionRs     = []string{"整改涉及系统升级，需延长整改期限", "需协调多个部门，申请延期"}
	superviseNotes  = []string{"该工单已逾期，请尽快办理并反馈", "请单位负责人督促落实整改，按时办结"}
	grantNotes      = []string{"同意延期", "情况属实，准予延期"}
	refuseNotes     = []string{"延期理由不充分，请按原期限完成", "不予延期"}
)

func oneOf(r *rng, list []string) string { return list[r.intn(len(list))] }
