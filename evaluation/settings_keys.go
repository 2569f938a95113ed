package evaluation

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"haochaping/internal/problem"
)

// The settings in use (table settings, resolved by region_setting): one table of them, read by
// the administration pages and the API alike, so that a value either accepts is one the code
// that reads it understands. Builtin is the value the reading code falls back to when no row
// holds one (the constants and COALESCE defaults next to each reader); the seeded city-wide
// defaults are in seeds/org.yaml.

// SettingKind is how a setting's value is written.
type SettingKind string

// The kinds of settings.
const (
	SettingInt    SettingKind = "int"    // a whole number in [Min, Max]
	SettingRate   SettingKind = "rate"   // a decimal fraction in [Min, Max], e.g. 0.70
	SettingChoice SettingKind = "choice" // one of Choices
)

// SettingKey is a setting the code reads: its key, Chinese name, what it does, and its rule.
type SettingKey struct {
	Key     string      `json:"key"`
	Name    string      `json:"name"`
	Explain string      `json:"explain"`
	Kind    SettingKind `json:"kind"`
	Unit    string      `json:"unit,omitempty"` // 秒, 个工作日 …, for int settings
	Min     float64     `json:"min,omitempty"`
	Max     float64     `json:"max,omitempty"`
	Choices []Choice    `json:"choices,omitempty"`
	Builtin string      `json:"builtin"` // what the code uses where no row holds a value
}

// SettingKeys are the settings in use, in the order the pages list them.
var SettingKeys = []SettingKey{
	{Key: "evaluation_window_days", Name: "评价期限", Kind: SettingInt, Unit: "个自然日", Min: 1, Max: 30, Builtin: "7",
		Explain: "服务后多少个自然日内可以评价（北京时间当日 24 时止）；评价人对整改结果的评价也用这一期限。"},
	{Key: "default_level", Name: "默认评价等级", Kind: SettingInt, Unit: "级", Min: 3, Max: 5, Builtin: "5",
		Explain: "评价期限届满未评价的办件记为默认评价的等级（5 非常满意、4 满意、3 基本满意）；不能是差评：没有人给出的评价不能生成整改工单。"},
	{Key: "offline_grace_days", Name: "离线评价上传期限", Kind: SettingInt, Unit: "个自然日", Min: 1, Max: 15, Builtin: "3",
		Explain: "自助终端离线时的评价，按原评价时间计的最长上传期限；超过则不予采信。"},
	{Key: "callback_working_days", Name: "回访核实时限", Kind: SettingInt, Unit: "个工作日", Min: 1, Max: 10, Builtin: "1",
		Explain: "差评提交后多少个工作日内完成回访核实。"},
	{Key: "rectify_working_days", Name: "整改反馈时限", Kind: SettingInt, Unit: "个工作日", Min: 1, Max: 30, Builtin: "5",
		Explain: "限期整改的默认期限，也是单位自行确定的最长期限；更长须申请延期。不得超过“延期后最长时限”。"},
	{Key: "rectify_max_working_days", Name: "延期后最长时限", Kind: SettingInt, Unit: "个工作日", Min: 1, Max: 60, Builtin: "15",
		Explain: "经管理机构批准延期后，整改期限最长多少个工作日（自差评提交时起算）。不得少于“整改反馈时限”。"},
	{Key: "target_active_rate", Name: "主动评价率目标", Kind: SettingRate, Min: 0.01, Max: 1, Builtin: "0.70",
		Explain: "数据看板中主动评价率的目标，写作小数（0.70 即 70%）。"},
	{Key: "ranking_min_evaluations", Name: "参加排名的最少评价数", Kind: SettingInt, Unit: "条", Min: 1, Max: 100000, Builtin: "30",
		Explain: "单位、窗口和工作人员当月评价不少于此数才参加月度排名：评价太少说明不了什么。"},
	{Key: "audit_retention_days", Name: "安全审计日志保留天数", Kind: SettingInt, Unit: "天", Min: 180, Max: 3650, Builtin: "180",
		Explain: "登录、拒绝访问、查看电话、导出等安全事件至少保留 180 天（等保要求），可设更长；只看全市默认值。"},
	{Key: "recurring_problem_threshold", Name: "集中反映问题的差评数", Kind: SettingInt, Unit: "条", Min: 2, Max: 1000, Builtin: "5",
		Explain: "同一单位同一事项同一方面的差评达到此数，即提请列入差评整改台账（申诉成立的不计）。"},
	{Key: "pad_scope", Name: "评价器评价范围", Kind: SettingChoice, Builtin: "window",
		Choices: []Choice{{"window", "本窗口"}, {"hall", "本大厅"}},
		Explain: "窗口评价器可以评价的办件和工作人员：只限本窗口，或放宽到本大厅。"},
	{Key: "pad_prompt_seconds", Name: "评价器显示时长", Kind: SettingInt, Unit: "秒", Min: 10, Max: 600, Builtin: "120",
		Explain: "评价器显示待评价办件多少秒无人操作后回到待机画面。"},
	{Key: "kiosk_scope", Name: "自助终端评价范围", Kind: SettingChoice, Builtin: "hall",
		Choices: []Choice{{"hall", "本大厅"}, {"region", "本大厅所在区划"}},
		Explain: "自助终端可以评价的办件：只限本大厅办理的，或放宽到本大厅所在区划及其下级区划的。"},
	{Key: "kiosk_idle_seconds", Name: "自助终端返回首页时间", Kind: SettingInt, Unit: "秒", Min: 15, Max: 600, Builtin: "60",
		Explain: "自助终端无人操作多少秒后回到首页，清除上一位群众的办件和评价。"},
}

// SettingKeyOf is the setting of key; an unknown key is refused (404: there is no such setting).
func SettingKeyOf(key string) (*SettingKey, error) {
	for i := range SettingKeys {
		if SettingKeys[i].Key == key {
			return &SettingKeys[i], nil
		}
	}
	return nil, problem.NotFound("unknown_setting", fmt.Sprintf("没有名为“%.40s”的参数", key))
}

// Rule is the allowed values in words, for the forms' hints and the refusals.
func (k *SettingKey) Rule() string {
	switch k.Kind {
	case SettingInt:
		return fmt.Sprintf("%s至%s之间的整数（%s）", formatBound(k.Min), formatBound(k.Max), k.Unit)
	case SettingRate:
		return fmt.Sprintf("%s至%s之间的小数", formatBound(k.Min), formatBound(k.Max))
	}
	names := make([]string, len(k.Choices))
	for i, c := range k.Choices {
		names[i] = c.Value + "（" + c.Name + "）"
	}
	return strings.Join(names, "或")
}

// Label is a value as people read it: the choice's name, or the number with its unit.
func (k *SettingKey) Label(v string) string {
	switch k.Kind {
	case SettingChoice:
		for _, c := range k.Choices {
			if c.Value == v {
				return c.Name
			}
		}
	case SettingRate:
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return strconv.FormatFloat(f*100, 'f', -1, 64) + "%"
		}
	case SettingInt:
		if k.Unit != "" {
			return v + " " + k.Unit
		}
	}
	return v
}

// Normalize checks a value against the setting's rule and returns it as stored: an integer
// without leading zeros, a rate with at most 4 decimals, a choice as written. A refusal names
// the field "value".
func (k *SettingKey) Normalize(raw string) (string, error) {
	v := strings.TrimSpace(raw)
	refuse := func() (string, error) {
		return "", problem.Invalid("invalid_setting_value", "value", fmt.Sprintf("%s须为%s", k.Name, k.Rule()))
	}
	if v == "" {
		return "", problem.Invalid("invalid_setting_value", "value", fmt.Sprintf("请填写%s：%s", k.Name, k.Rule()))
	}
	switch k.Kind {
	case SettingInt:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || float64(n) < k.Min || float64(n) > k.Max {
			return refuse()
		}
		return strconv.FormatInt(n, 10), nil
	case SettingRate:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || f < k.Min || f > k.Max {
			return refuse()
		}
		return strconv.FormatFloat(math.Round(f*10000)/10000, 'f', -1, 64), nil
	}
	for _, c := range k.Choices {
		if c.Value == v {
			return v, nil
		}
	}
	return refuse()
}

func formatBound(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
