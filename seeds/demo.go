package seeds

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"haochaping/channels"
	"haochaping/evaluation"
)

// Demo staff get made-up names, drawn in a fixed order so that every run writes the same.
var (
	surnames   = []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎")
	givenNames = []string{"芳", "伟", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "晨", "佳", "欣怡", "子涵", "浩然", "雨萱"}
)

func demoName(i int) string {
	return string(surnames[i%len(surnames)]) + givenNames[(i*7)%len(givenNames)]
}

// seedDemoStaff gives every window two staff members and every department a head.
func seedDemoStaff(tx *gorm.DB, b *builtOrg) error {
	var staff []*evaluation.Staff
	n := 0
	for _, dept := range b.deptList {
		staff = append(staff, &evaluation.Staff{StaffNo: "H-" + dept.Code, Name: demoName(n), DepartmentID: dept.ID, IsHead: true, Active: true})
		n++
	}
	for _, h := range b.halls {
		for _, w := range b.windows[h.ID] {
			for k := 1; k <= 2; k++ {
				wid := w.ID
				staff = append(staff, &evaluation.Staff{StaffNo: fmt.Sprintf("%s-%d", w.Code, k), Name: demoName(n),
					DepartmentID: w.DepartmentID, WindowID: &wid, Active: true})
				n++
			}
		}
	}
	if err := evaluation.SaveOrg(tx, "staff_no", staff); err != nil {
		return fmt.Errorf("demo staff: %w", err)
	}
	return nil
}

// seedDemoDevices registers, once, a pad at every window of the city hall and at the first
// comprehensive window of each district hall, a kiosk in every hall, and the backends of the
// mobile app, the portal and a business system.
func seedDemoDevices(ctx context.Context, devices *channels.Devices, b *builtOrg) error {
	existing, err := devices.List(ctx, true, false)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, d := range existing {
		have[d.ID] = true
	}
	var want []channels.NewDevice
	for i, h := range b.halls {
		region := b.regions[i]
		for _, w := range b.windows[h.ID] {
			if region.Level == "city" || strings.HasSuffix(w.Code, "-ZH01") {
				want = append(want, channels.NewDevice{ID: "demo-window-" + strings.ToLower(w.Code), Channel: "window",
					Name: h.Name + w.Name + "评价器", WindowCode: w.Code})
			}
		}
		want = append(want, channels.NewDevice{ID: "demo-kiosk-" + region.Code, Channel: "kiosk",
			Name: h.Name + "自助终端", HallCode: h.Code})
	}
	want = append(want,
		channels.NewDevice{ID: "demo-mobile", Channel: "mobile", Name: "爱山东 App 后台（演示）"},
		channels.NewDevice{ID: "demo-pc", Channel: "pc", Name: "政务服务网门户后台（演示）"},
		channels.NewDevice{ID: "demo-system", Channel: "system", Name: "业务办理系统（演示）"},
	)
	for _, nd := range want {
		if have[nd.ID] {
			continue
		}
		nd.Demo = true
		if _, err := devices.Add(ctx, nd); err != nil {
			return fmt.Errorf("device %s: %w", nd.ID, err)
		}
	}
	return nil
}
