package demohistory

import (
	"fmt"
	"runtime"
	"strings"
	"sync"

	"haochaping/internal/pii"
)

// identity is a made-up applicant, sealed like a real one (AES-GCM under the deployment's key,
// a keyed hash to match, masked copies for screens). Values are pre-boxed for the COPY rows.
// The same identity serves as a person and, for enterprise cases, as an enterprise with the
// person as its contact.
type identity struct {
	nameEnc, nameMasked       any
	entNameEnc, entNameMasked any // the enterprise's name is public: masked is the name itself
	phoneEnc, phoneMasked     any
	phoneIndex                any
	idEnc, idIndex            any
}

// identityPool is sealed once per run: sealing costs a few microseconds a value, which would
// dominate a load of millions of rows, while a pool reused in order looks like real traffic.
type identityPool struct{ ids []identity }

// Pool sizes. A case takes identity (case number mod size): the pool is sized to at least three
// days of cases, so that a phone rates at most once in three days — otherwise the 刷好评 watch
// (three top ratings from one phone within 24 hours) would flag made-up citizens.
const (
	minIdentities = 5_000
	maxIdentities = 150_000
)

func poolSize(maxDayCases int) int {
	return min(max(3*maxDayCases, minIdentities), maxIdentities)
}

// newIdentityPool draws n identities from the seed and seals them on every core.
func newIdentityPool(keys *pii.Keys, seed uint64, n int) *identityPool {
	p := &identityPool{ids: make([]identity, n)}
	workers := max(1, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				p.ids[i] = makeIdentity(keys, seed, i)
			}
		}()
	}
	wg.Wait()
	return p
}

func (p *identityPool) get(i int64) *identity {
	return &p.ids[int(i%int64(len(p.ids)))]
}

func makeIdentity(keys *pii.Keys, seed uint64, i int) identity {
	r := newRNG(seed, streamIdentity, uint64(i), 0)
	name := personName(&r)
	ent := enterpriseName(&r)
	phone := phoneNumber(&r)
	id := idNumber(&r)
	return identity{
		nameEnc: keys.Seal(name), nameMasked: pii.MaskName(name),
		entNameEnc: keys.Seal(ent), entNameMasked: ent,
		phoneEnc: keys.Seal(phone), phoneMasked: pii.MaskPhone(phone), phoneIndex: keys.PhoneIndex(phone),
		idEnc: keys.Seal(id), idIndex: keys.Index("id", id),
	}
}

var (
	familyNames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	givenChars  = []rune("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建国志红玉梅文斌宇浩然子涵欣怡雨轩晨博思远佳琪梓萱俊杰婷婷鑫磊海燕春梅秋菊德福长青凤兰")
	entPlaces   = []string{"枣庄", "滕州", "鲁南", "山东", "运河", "墨子", "龙头", "君山", "抱犊崮", "微山湖"}
	entWords    = []string{"恒通", "鑫源", "宏达", "华信", "佳禾", "润泽", "金诚", "瑞丰", "兴业", "汇通", "盛世", "安泰", "和顺", "永昌", "博远", "新创"}
	entTrades   = []string{"商贸", "建材", "机械", "食品", "物流", "科技", "餐饮", "农业", "化工", "服装", "装饰", "医药"}
	entForms    = []string{"有限公司", "有限责任公司", "股份有限公司", "商行", "经营部"}
	phonePrefix = []string{"130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156",
		"157", "158", "159", "166", "170", "176", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189", "199"}
	idAreas = []string{"370402", "370403", "370404", "370405", "370406", "370481", "370400", "370102", "370882", "320303"}
)

func personName(r *rng) string {
	var b strings.Builder
	b.WriteRune(familyNames[r.intn(len(familyNames))])
	b.WriteRune(givenChars[r.intn(len(givenChars))])
	if r.chance(0.7) {
		b.WriteRune(givenChars[r.intn(len(givenChars))])
	}
	return b.String()
}

func enterpriseName(r *rng) string {
	return entPlaces[r.intn(len(entPlaces))] + entWords[r.intn(len(entWords))] + entTrades[r.intn(len(entTrades))] +
		entForms[r.intn(len(entForms))]
}

func phoneNumber(r *rng) string {
	return fmt.Sprintf("%s%08d", phonePrefix[r.intn(len(phonePrefix))], r.intn(100_000_000))
}

// idNumber makes an 18-character resident ID number with a valid check character (GB 11643):
// made up, but shaped like the real thing, so that masking and matching behave as in production.
func idNumber(r *rng) string {
	body := fmt.Sprintf("%s%04d%02d%02d%03d", idAreas[r.intn(len(idAreas))], 1950+r.intn(56), 1+r.intn(12), 1+r.intn(28), r.intn(1000))
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, c := range body {
		sum += int(c-'0') * weights[i]
	}
	return body + string("10X98765432"[sum%11])
}
