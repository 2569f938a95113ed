package evaluation

// The organisation that is rated (评价对象): regions, departments, halls, windows and staff,
// and the service items (事项) they handle. These are records, kept through gorm.

// Region is a city, district or town.
type Region struct {
	ID       int64
	Code     string
	Name     string
	ParentID *int64
	Level    string // city, district, town, village
}

// Department is a unit that handles cases (承办单位).
type Department struct {
	ID       int64
	Code     string
	Name     string
	RegionID int64
}

// Hall is a 政务服务中心 or a 便民服务中心/站.
type Hall struct {
	ID       int64
	Code     string
	Name     string
	RegionID int64
	Level    string
	Address  string
}

// ServiceWindow is a counter in a hall, answered for by a department.
type ServiceWindow struct {
	ID           int64
	Code         string
	Name         string
	HallID       int64
	DepartmentID int64
	Kind         string // comprehensive, cross_region, assisted, complaint, fallback, specialised
}

// TableName maps ServiceWindow to its table.
func (ServiceWindow) TableName() string { return "windows" }

// Staff is a member of a department's staff, perhaps at a window.
type Staff struct {
	ID           int64
	StaffNo      string
	Name         string
	DepartmentID int64
	WindowID     *int64
	IsHead       bool // 单位负责人
	Active       bool
}

// TableName maps Staff to its table.
func (Staff) TableName() string { return "staff" }

// ServiceItem is a government service item (事项).
type ServiceItem struct {
	ID           int64
	Code         string // 事项编码
	Name         string
	DepartmentID int64
	Kind         string // immediate 即办件, promised 承诺件
	PromisedDays int
	Online       bool
}
