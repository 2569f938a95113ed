package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestRedisSentinelSettings(t *testing.T) {
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }

	s, err := loadRedisSentinel(env(map[string]string{}))
	if err != nil || s.Enabled() {
		t.Fatalf("no settings: %+v, %v; want a plain client", s, err)
	}

	s, err = loadRedisSentinel(env(map[string]string{"REDIS_SENTINELS": " 10.0.0.1:26379, sentinel-b:26379 ,",
		"REDIS_MASTER_NAME": "mymaster", "REDIS_SENTINEL_PASSWORD": "s3cret"}))
	want := RedisSentinel{Addrs: []string{"10.0.0.1:26379", "sentinel-b:26379"}, MasterName: "mymaster", Password: "s3cret"}
	if err != nil || !reflect.DeepEqual(s, want) {
		t.Fatalf("got %+v, %v; want %+v", s, err, want)
	}

	for name, vars := range map[string]map[string]string{
		"sentinels without a master name": {"REDIS_SENTINELS": "127.0.0.1:26379"},
		"a master name without sentinels": {"REDIS_MASTER_NAME": "mymaster"},
		"a password without sentinels":    {"REDIS_SENTINEL_PASSWORD": "x"},
		"no port":                         {"REDIS_SENTINELS": "127.0.0.1", "REDIS_MASTER_NAME": "m"},
		"a port out of range":             {"REDIS_SENTINELS": "127.0.0.1:70000", "REDIS_MASTER_NAME": "m"},
		"no host":                         {"REDIS_SENTINELS": ":26379", "REDIS_MASTER_NAME": "m"},
	} {
		if _, err := loadRedisSentinel(env(vars)); err == nil || !strings.Contains(err.Error(), "REDIS_") {
			t.Errorf("%s: err %v, want a refusal naming the setting", name, err)
		}
	}
}
