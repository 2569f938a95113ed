package evaluation

// Channel is where a rating came from.
type Channel string

// The four channels of DOMAIN.md.
const (
	PC     Channel = "pc"     // 政务服务网 portal, server to server
	Window Channel = "window" // 评价器 pad at a counter
	Mobile Channel = "mobile" // app / mini-program / H5 from the receipt's QR
	Kiosk  Channel = "kiosk"  // 自助终端, may upload offline batches
)

// Channels lists every channel.
var Channels = []Channel{PC, Window, Mobile, Kiosk}

var channelNames = map[Channel]string{PC: "政务服务网", Window: "窗口评价器", Mobile: "移动端", Kiosk: "自助终端"}

// Name is the channel's Chinese name, as the office reads it.
func (c Channel) Name() string {
	if n, ok := channelNames[c]; ok {
		return n
	}
	return string(c)
}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	switch c {
	case PC, Window, Mobile, Kiosk:
		return true
	}
	return false
}

// Stage is the moment of a case being rated; a 承诺件 may be rated at 受理 and at 办结.
type Stage string

// The stages.
const (
	Accept   Stage = "accept"   // 受理
	Complete Stage = "complete" // 办结
)

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool { return s == Accept || s == Complete }

// Name is the stage's Chinese name: 受理 or 办结.
func (s Stage) Name() string {
	if s == Accept {
		return "受理"
	}
	return "办结"
}
