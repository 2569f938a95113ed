package evaluation

// Level is a rating on the national five-level scale.
type Level int

// The levels (GB/T 39735 "好差评" scale).
const (
	VeryDissatisfied Level = 1 // 非常不满意
	Dissatisfied     Level = 2 // 不满意
	Basic            Level = 3 // 基本满意
	Satisfied        Level = 4 // 满意
	VerySatisfied    Level = 5 // 非常满意
)

// Valid reports whether l is on the scale.
func (l Level) Valid() bool { return l >= VeryDissatisfied && l <= VerySatisfied }

// Bad reports a 差评: level 1 or 2.
func (l Level) Bad() bool { return l.Valid() && l <= Dissatisfied }

// Good reports a 好评: level 4 or 5.
func (l Level) Good() bool { return l >= Satisfied && l.Valid() }

// Score is the level's score for the 满意度 measure (10, 8, 6, 3, 0).
func (l Level) Score() int {
	return [...]int{0, 0, 3, 6, 8, 10}[max(0, min(int(l), 5))]
}

// Name is the level's Chinese name.
func (l Level) Name() string {
	if !l.Valid() {
		return ""
	}
	return [...]string{"", "非常不满意", "不满意", "基本满意", "满意", "非常满意"}[l]
}
