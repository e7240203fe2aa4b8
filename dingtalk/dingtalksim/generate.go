package dingtalksim

import (
	"fmt"
	"sort"
	"time"
)

// generateOrg builds the company's org chart from the seed and the size: a root named after
// the company, first-level divisions, and departments nested up to four levels below the
// root; one department with more than 100 members (when the company has 150 people or more)
// so that user paging matters; about 3% of people in a second department.
func generateOrg(cfg Config, co *company, today civil) *org {
	o := newOrg()
	seed := co.seed
	o.depts[1] = &dept{id: 1, parent: 0, name: cfg.CompanyName, createGroup: true}

	nDepts := max(cfg.Departments, 7)
	nDiv := min(len(divisions), max(3, nDepts/8))
	var order []*dept // non-root departments in creation order
	add := func(parent *dept, name string) *dept {
		d := &dept{id: o.newDeptID(seed), parent: parent.id, name: name, level: parent.level + 1, order: int64(len(order) + 1), createGroup: true}
		o.depts[d.id] = d
		order = append(order, d)
		return d
	}
	childName := func(parent *dept) string {
		n := 0
		for _, d := range order {
			if d.parent == parent.id {
				n++
			}
		}
		switch parent.level {
		case 1:
			subs := divisionSubs(parent.name)
			if n < len(subs) {
				return subs[n]
			}
			return fmt.Sprintf("%s%d部", trimDivision(parent.name), n+1)
		case 2:
			if n < len(groupNumerals) {
				return groupNumerals[n] + "组"
			}
			return fmt.Sprintf("第%d组", n+1)
		default:
			if n < len(teamNames) {
				return teamNames[n] + "班"
			}
			return fmt.Sprintf("第%d班", n+1)
		}
	}
	var divs []*dept
	for i := range nDiv {
		divs = append(divs, add(o.depts[1], divisions[i].name))
	}
	// A chain four levels deep, the big department (华东销售部), and a team working split
	// shifts under 客户服务中心.
	a := add(divs[0], childName(divs[0]))
	b := add(a, childName(a))
	add(b, childName(b))
	big := add(divs[1], childName(divs[1]))
	add(divs[splitDivision], childName(divs[splitDivision]))

	// The rest hang under departments chosen by hash, shallower ones more often.
	for i := uint64(0); len(order) < nDepts-1; i++ {
		var cands []*dept
		var weights []int
		total := 0
		for _, d := range order {
			if d.level < 4 {
				w := 5 - d.level
				cands, weights = append(cands, d), append(weights, w)
				total += w
			}
		}
		pick := int(hash(seed, saltDept, 1000+i) % uint64(total))
		for j, w := range weights {
			if pick < w {
				add(cands[j], childName(cands[j]))
				break
			}
			pick -= w
		}
	}

	// People. Leaves of the tree get more of them than inner departments.
	var pool []*dept
	var cum []int
	sum := 0
	isParent := map[int64]bool{}
	for _, d := range order {
		isParent[d.parent] = true
	}
	for _, d := range order {
		if d == big {
			continue
		}
		w := 1
		if !isParent[d.id] {
			w = 4
		}
		sum += w
		pool, cum = append(pool, d), append(cum, sum)
	}
	nBig := 0
	if cfg.Employees >= 150 {
		nBig = max(120, min(cfg.Employees/20, 600))
	}
	loc := cfg.Location
	for i := range cfg.Employees {
		seq := int64(i + 1)
		r := newRNG(hash(seed, saltUser, uint64(seq)))
		u := &user{seq: seq}
		for attempt := uint64(0); ; attempt++ {
			id := fmt.Sprintf("%016d", hash(seed, saltUser, uint64(seq), attempt)%10_000_000_000_000_000)
			if o.users[id] == nil {
				u.userid = id
				break
			}
		}
		u.key = hashString(u.userid)
		u.unionid = unionID(seed, seq)
		u.name = surnames[r.intn(len(surnames))] + givenChars[r.intn(len(givenChars))]
		if r.float() < 0.7 {
			u.name += givenChars[r.intn(len(givenChars))]
		}
		u.mobile = mobilePrefixes[r.intn(len(mobilePrefixes))] + fmt.Sprintf("%08d", (int64(i)*48271+int64(seed%10_000_000))%100_000_000)
		u.jobNumber = fmt.Sprintf("%06d", seq)
		u.workPlace = officeAddress
		u.hired = (today - civil(200+r.intn(3400))).start(loc).UnixMilli()
		u.title = titles[r.intn(len(titles))]
		var home *dept
		switch {
		case i == 0:
			home, u.title, u.boss, u.admin = o.depts[1], "总经理", true, true
		case i < 3:
			home, u.title, u.admin = o.depts[1], []string{"", "副总经理", "总经理助理"}[i], i == 1
		case i < 3+nBig:
			home = big
		default:
			k := sort.SearchInts(cum, int(r.next()%uint64(sum))+1)
			home = pool[k]
		}
		o.addMember(u, home.id)
		if i >= 3 && r.float() < 0.03 {
			if other := pool[sort.SearchInts(cum, int(r.next()%uint64(sum))+1)]; other != home {
				o.addMember(u, other.id)
			}
		}
		u.group = co.groupOf(o, home.id)
		o.users[u.userid] = u
		o.byMobile[u.mobile] = u
		o.touch(u)
	}
	o.nextSeq = int64(cfg.Employees)
	// The first member of each department leads it.
	for id, ms := range o.members {
		if len(ms) > 0 {
			o.depts[id].managers = []string{ms[0].userid}
		}
	}
	o.setManagers()
	return o
}

func divisionSubs(name string) []string {
	for _, d := range divisions {
		if d.name == name {
			return d.subs
		}
	}
	return nil
}

func trimDivision(name string) string {
	for _, suffix := range []string{"中心", "部"} {
		if len(name) > len(suffix) && name[len(name)-len(suffix):] == suffix {
			return name[:len(name)-len(suffix)]
		}
	}
	return name
}

// dayStart is midnight of d in the company's zone, in unix ms.
func (co *company) dayStart(d civil) int64 {
	if v, ok := co.starts.Load(d); ok {
		return v.(int64)
	}
	ms := d.start(co.loc).UnixMilli()
	co.starts.Store(d, ms)
	return ms
}

func (co *company) at(d civil, minute int) time.Time {
	return time.UnixMilli(co.dayStart(d) + int64(minute)*60_000).In(co.loc)
}
