package demohistory

// Story holds the numbers that shape the history: what the dashboard should show, and why.
// Codes are those of seeds/org.yaml; an organisation with other codes still loads, with the
// defaults for what the story does not name.
type Story struct {
	// ChannelMix is each channel's share of evaluations (the four add up to 1).
	ChannelMix map[string]float64
	// TicketOnly is the share of window ratings made by queue ticket, without a case: a visit
	// for advice, or a case the business system never pushed. They are never defaults (only a
	// case can go unrated), so they are always active.
	TicketOnly float64
	// RegionVolume weighs the regions' share of services (the city hall and 滕州 are busiest).
	RegionVolume map[string]float64
	// ActiveShare is each region's share of active evaluations among all (主动评价率, target ≥
	// 70%), at the start and at the end of the period: two districts stay below the target
	// (improving a little), so that the dashboard has something to point at.
	ActiveShare map[string][2]float64
	// DefaultActiveShare is the active share of regions the story does not name.
	DefaultActiveShare [2]float64
	// RealName is, per channel, the share of active ratings whose evaluator can be called back
	// (实名). At a window it is the pad's optional "leave your number", hence lower; online and
	// at kiosks the evaluator is the applicant, real-name when the case carries their phone.
	RealName map[string]float64
	// CasePhone is the share of window cases whose applicant left a phone number.
	CasePhone float64
	// OnlineStaff is the share of online cases approved by a member of a window's staff, who
	// answers for their rating; the rest name no one but the department.
	OnlineStaff float64
	// Enterprise is the share of cases applied for by an enterprise, for items of the
	// departments that serve enterprises (market, tax, housing); EnterpriseOther for the rest.
	Enterprise      map[string]float64 // department kind (code suffix) → share
	EnterpriseOther float64

	// Levels of active ratings for an average unit: the rest are level 5. Bad (level 1 or 2)
	// is scaled by the unit's quality factor, level 3 by its square root.
	Bad, Level3, Level4 float64
	// VeryBad is the share of level 1 among bad reviews.
	VeryBad float64
	// Spread of the quality factors (standard deviations of the log of the bad-review odds
	// multiplier): departments, windows, staff. Drawn from the seed.
	DepartmentSpread, WindowSpread, StaffSpread float64
	// Quality fixes the factor of named units (department, window or staff codes): struggling
	// units at the bottom of the rankings month after month (and so flagged), and model ones.
	// The factor moves linearly from From to To over the period: 台儿庄区不动产登记中心 improves
	// once the office starts supervising it.
	Quality map[string]QualityTrend
	// ChannelQuality adds to the factor per channel (a kiosk that jams, a portal form that
	// confuses).
	ChannelQuality map[string]float64

	// Item popularity by basic code (the part after the region code); others weigh
	// ImmediateWeight or PromisedWeight by their kind.
	ItemWeight                      map[string]float64
	ImmediateWeight, PromisedWeight float64

	// Weekend is the volume of a non-working day relative to a working day: halls open on
	// weekend mornings only ("周末不打烊"), online services go on.
	WeekendHall, WeekendOnline float64
	// Weekday scales the working days Monday..Friday (the Monday queue, the quiet Friday).
	Weekday [5]float64
	// Growth is how much busier the last day is than the first (more people use the system).
	Growth float64

	Loop LoopStory
}

// QualityTrend is a unit's quality factor from the start to the end of the period.
type QualityTrend struct{ From, To float64 }

// LoopStory shapes the bad-review loop (差评闭环).
type LoopStory struct {
	// Return is the share of work orders the unit sends back to the office (not ours), which
	// reassigns them to the unit's head.
	Return float64
	// Decisions after the callback: now 立行立改, deadline 限期整改, explain 解释说明, appeal 申诉.
	Now, Deadline, Explain, Appeal float64
	// AppealUpheld is the share of appeals the office upholds.
	AppealUpheld float64
	// OwnDeadline is the share of 限期整改 decisions that name their own number of working days.
	OwnDeadline float64
	// Extension is the share of 限期整改 that ask for a longer deadline; ExtensionGranted the
	// share of those the office grants.
	Extension, ExtensionGranted float64
	// Late shares: callback after its deadline, rectification after its deadline, feedback late.
	// A struggling unit is late more often (scaled by its quality factor).
	LateCallback, LateRectify, LateFeedback float64
	// Stuck is the share of work orders that stop at some step and stay open, overdue, until
	// the end: the cases the office chases.
	Stuck float64
	// Supervise is the share of overdue orders the office supervises (督办) a working day later.
	Supervise float64
	// ShowcaseAge is how many working days before the end the showcase begins: from then on,
	// the first bad reviews are held in each open state in turn (greedily, in order), so that
	// every state of the loop is on screen whatever the volume.
	ShowcaseAge int
}

// DefaultStory is the story of 枣庄 told by `haochaping demo`.
func DefaultStory() *Story {
	return &Story{
		ChannelMix: map[string]float64{"window": 0.45, "mobile": 0.25, "pc": 0.20, "kiosk": 0.10},
		TicketOnly: 0.15,
		// Busiest at the city hall and in 滕州, yet close to the number of windows of each hall:
		// a counter serves a hundred people a day at most.
		RegionVolume: map[string]float64{
			"370400": 0.18, "370481": 0.16, "370402": 0.13, "370403": 0.12,
			"370404": 0.11, "370490": 0.10, "370405": 0.10, "370406": 0.10,
		},
		ActiveShare: map[string][2]float64{
			"370400": {0.79, 0.82}, // the city hall: the model
			"370402": {0.81, 0.84},
			"370403": {0.74, 0.77},
			"370404": {0.54, 0.62}, // 峄城区: below the 70% target, improving slowly
			"370405": {0.72, 0.74},
			"370406": {0.58, 0.62}, // 山亭区: below the target
			"370481": {0.76, 0.79},
			"370490": {0.83, 0.85},
		},
		DefaultActiveShare: [2]float64{0.76, 0.78},
		RealName:           map[string]float64{"window": 0.25, "mobile": 0.60, "pc": 0.65, "kiosk": 0.55},
		CasePhone:          0.85,
		OnlineStaff:        0.15,
		Enterprise:         map[string]float64{"SCJ": 0.65, "SWJ": 0.55, "ZJJ": 0.60},
		EnterpriseOther:    0.03,
		Bad:                0.026,
		Level3:             0.05,
		Level4:             0.15,
		VeryBad:            0.45,
		DepartmentSpread:   0.35,
		WindowSpread:       0.25,
		StaffSpread:        0.20,
		Quality: map[string]QualityTrend{
			"370405-BDC":    {From: 1.2, To: 0.5},   // 台儿庄区不动产登记中心: struggling, then supervised
			"370406-SCJ":    {From: 0.8, To: 0.8},   // 山亭区市场监督管理局: slow approvals
			"370481-GA01":   {From: 0.7, To: 0.7},   // 滕州's police window: long queues
			"370403-ZH02-2": {From: 0.9, To: 0.9},   // one brusque member of staff in 薛城区
			"ZZ-GAJ":        {From: -0.5, To: -0.5}, // 市公安局: a model department
			"370400-ZH01":   {From: -0.6, To: -0.6}, // the city hall's first comprehensive window
		},
		ChannelQuality: map[string]float64{"window": 0, "kiosk": 0.15, "mobile": -0.1, "pc": 0.1},
		ItemWeight: map[string]float64{
			"000105001000": 5, // 居民身份证换领
			"000112001000": 4, // 社会保障卡申领
			"000114001000": 3, // 基本医疗保险参保登记
			"000114003000": 3, // 异地就医备案
			"000116002000": 4, // 不动产转移登记
			"000201001000": 3, // 企业设立登记
			"000201005000": 3, // 个体工商户设立登记
			"000118001000": 4, // 发票领用
			"000120001000": 4, // 住房公积金提取
		},
		ImmediateWeight: 1.5,
		PromisedWeight:  1.0,
		WeekendHall:     0.08,
		WeekendOnline:   0.35,
		Weekday:         [5]float64{1.15, 1.05, 1.0, 1.0, 0.9},
		Growth:          0.10,
		Loop: LoopStory{
			Return:           0.04,
			Now:              0.45,
			Deadline:         0.25,
			Explain:          0.20,
			Appeal:           0.10,
			AppealUpheld:     0.40,
			OwnDeadline:      0.30,
			Extension:        0.12,
			ExtensionGranted: 0.75,
			LateCallback:     0.04,
			LateRectify:      0.08,
			LateFeedback:     0.05,
			Stuck:            0.01,
			Supervise:        0.40,
			ShowcaseAge:      3,
		},
	}
}
