package config

// Upward are the settings of the report to the provincial platform in its own format
// (package upward, docs/UPWARD.md). With no Profile the report sends the old JSON of
// evaluation/upward.go.
type Upward struct {
	Profile     string // HAOCHAPING_UPWARD_PROFILE: shandong, simple (seeds/upward)
	AppMark     string // HAOCHAPING_UPWARD_APP_MARK: this deployment's name at the platform (appMark)
	TenancyID   string // HAOCHAPING_UPWARD_TENANCY_ID: the C-Tenancy-Id header, when the profile names it
	SM4Key      string // HAOCHAPING_UPWARD_SM4_KEY: 32 hex digits shared with the platform
	SignKey     string // HAOCHAPING_UPWARD_SIGN_KEY: our SM2 private key, 64 hex digits
	PlatformKey string // HAOCHAPING_UPWARD_PLATFORM_KEY: the platform's SM2 public key (04‖x‖y hex)
	// Simulator (HAOCHAPING_UPWARD_SIMULATOR): an address where `haochaping all` / `serve` also
	// run the platform simulator (demo mode only), e.g. 127.0.0.1:8090.
	Simulator string
}
