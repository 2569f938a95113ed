package seeds

import (
	"fmt"
	"strings"

	"gorm.io/gorm"

	"haochaping/evaluation"
)

// builtOrg is the organisation as written, for the demo data to hang on.
type builtOrg struct {
	regions     []*evaluation.Region                         // the city first
	departments map[string]map[string]*evaluation.Department // region code → kind → department
	deptList    []*evaluation.Department                     // in the order written
	halls       []*evaluation.Hall
	windows     map[int64][]*evaluation.ServiceWindow // hall ID → windows
}

func seedOrg(tx *gorm.DB, org *Org) (*builtOrg, error) {
	b := &builtOrg{departments: map[string]map[string]*evaluation.Department{}, windows: map[int64][]*evaluation.ServiceWindow{}}
	city := &evaluation.Region{Code: org.City.Code, Name: org.City.Name, Level: "city"}
	if err := evaluation.SaveOrg(tx, "code", []*evaluation.Region{city}); err != nil {
		return nil, fmt.Errorf("regions: %w", err)
	}
	b.regions = append(b.regions, city)
	var districts []*evaluation.Region
	for _, d := range org.Districts {
		districts = append(districts, &evaluation.Region{Code: d.Code, Name: d.Name, ParentID: &city.ID, Level: "district"})
	}
	if err := evaluation.SaveOrg(tx, "code", districts); err != nil {
		return nil, fmt.Errorf("regions: %w", err)
	}
	b.regions = append(b.regions, districts...)

	var depts []*evaluation.Department
	operator := map[int64]*evaluation.Department{}
	governments := map[string]string{}
	for _, d := range org.Districts {
		governments[d.Code] = d.Government
	}
	for _, r := range b.regions {
		b.departments[r.Code] = map[string]*evaluation.Department{}
		for _, d := range org.Departments {
			name, code := d.City, "ZZ-"+d.Abbr
			if r.Level != "city" {
				name, code = strings.ReplaceAll(d.District, "{d}", r.Name), r.Code+"-"+d.Abbr
				if d.Kind == "government" && governments[r.Code] != "" {
					name = governments[r.Code]
				}
			}
			if name == "" {
				continue
			}
			dept := &evaluation.Department{Code: code, Name: name, RegionID: r.ID}
			depts = append(depts, dept)
			b.departments[r.Code][d.Kind] = dept
			if d.HallOperator {
				operator[r.ID] = dept
			}
		}
	}
	if err := evaluation.SaveOrg(tx, "code", depts); err != nil {
		return nil, fmt.Errorf("departments: %w", err)
	}
	b.deptList = depts

	for _, r := range b.regions {
		b.halls = append(b.halls, &evaluation.Hall{Code: r.Code + "-ZWFW", Name: r.Name + "政务服务中心", RegionID: r.ID, Level: r.Level})
	}
	if err := evaluation.SaveOrg(tx, "code", b.halls); err != nil {
		return nil, fmt.Errorf("halls: %w", err)
	}

	var windows []*evaluation.ServiceWindow
	for i, h := range b.halls {
		r := b.regions[i]
		op := operator[r.ID]
		if op == nil {
			return nil, fmt.Errorf("region %s has no hall operator department", r.Code)
		}
		for _, w := range org.HallWindows {
			for n := 1; n <= w.Count; n++ {
				name := w.Name
				if w.Count > 1 {
					name = fmt.Sprintf("%s%d", strings.TrimSuffix(w.Name, "窗口"), n) + "号窗口"
				}
				windows = append(windows, &evaluation.ServiceWindow{Code: fmt.Sprintf("%s-%s%02d", r.Code, w.Abbr, n),
					Name: name, HallID: h.ID, DepartmentID: op.ID, Kind: w.Kind})
			}
		}
		for _, w := range org.SpecialisedWindows {
			dept := b.departments[r.Code][w.Department]
			if dept == nil || (w.CityOnly && r.Level != "city") {
				continue
			}
			windows = append(windows, &evaluation.ServiceWindow{Code: fmt.Sprintf("%s-%s01", r.Code, w.Abbr),
				Name: w.Name, HallID: h.ID, DepartmentID: dept.ID, Kind: "specialised"})
		}
	}
	if err := evaluation.SaveOrg(tx, "code", windows); err != nil {
		return nil, fmt.Errorf("windows: %w", err)
	}
	for _, w := range windows {
		b.windows[w.HallID] = append(b.windows[w.HallID], w)
	}

	var items []*evaluation.ServiceItem
	for _, r := range b.regions {
		for _, it := range org.Items {
			dept := b.departments[r.Code][it.Department]
			if dept == nil || (it.CityOnly && r.Level != "city") {
				continue
			}
			items = append(items, &evaluation.ServiceItem{Code: r.Code + "-" + it.Basic, Name: it.Name,
				DepartmentID: dept.ID, Kind: it.Type, PromisedDays: it.Days, Online: it.Online})
		}
	}
	if err := evaluation.SaveOrg(tx, "code", items); err != nil {
		return nil, fmt.Errorf("service items: %w", err)
	}
	return b, nil
}

func seedReasons(tx *gorm.DB, org *Org) error {
	rs := org.Reasons
	var list []evaluation.Reason
	for kind, reasons := range map[evaluation.ReasonKind][]Reason{evaluation.Online: rs.Online, evaluation.Offline: rs.Offline} {
		for _, r := range reasons {
			list = append(list, evaluation.Reason{Kind: kind, Code: r.Code, Name: r.Name})
		}
	}
	return evaluation.SaveReasonSet(tx, evaluation.ReasonSetVersion{Version: rs.Version, EffectiveFrom: rs.EffectiveFrom,
		Note: rs.Note}, list)
}

// seedSettings writes the city-wide defaults; values an operator changed since are kept.
func seedSettings(tx *gorm.DB, settings map[string]string) error {
	return evaluation.SaveDefaultSettings(tx, settings)
}
