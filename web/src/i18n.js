// Strings of the control-centre view in Korean and English. Every visible label comes from here or
// from the server's bilingual fields (quantity labels, scenario descriptions, caveat, complex names).

export const STRINGS = {
  ko: {
    title: '산단 통합관제센터',
    subtitle: '인천 5개 산업단지 디지털 트윈',
    scenario: '시나리오',
    diffMode: '차이 모드 (B − A)',
    runA: 'A (기준)',
    runB: 'B (비교)',
    interventions: '적용 대책',
    noInterventions: '대책 없음 (현재 상태)',
    layers: '레이어',
    facilities: '사업장',
    feeders: '배전선로 (22.9 kV)',
    dynTitle: '퇴근 시간대 교통 (동적 모형)',
    dynShow: '도로에 대기행렬 표시',
    dynQueue: '대기행렬 길이',
    dynVehicles: '평일 {start}–{end}, 차량 {n}대',
    dynGate: '가장 붐비는 진출입 지점 {gate}: 최대 대기 {n}대 ({time})',
    dynCommute: '승용차 통근 {t}분, 자유 흐름 {f}분 대비 {p}',
    dynLongest: '가장 긴 대기행렬 {m} m ({time})',
    dynQueued: '도로 전체 대기 차량',
    dynGateSeries: '가장 붐비는 진출입 지점 대기',
    roads: '도로',
    substations: '변전소',
    gates: '진출입 지점',
    complexes: '산업단지',
    colourBy: '색상 기준',
    legend: '범례',
    noData: '값 없음',
    perYear: '연간 값 (시간과 무관)',
    alarms: '경보',
    alarmsShown: '{shown} / {total}건',
    noAlarms: '경보 없음',
    kpis: '단지별 핵심 지표',
    kpiDiff: 'B − A',
    time: '시각',
    play: '재생',
    pause: '일시정지',
    stepBack: '이전',
    stepFwd: '다음',
    speed: '속도',
    speedUnit: '{n}시간/단계',
    peak: '최대부하 시각',
    chart: '시계열',
    day: '일',
    week: '주',
    year: '연',
    close: '닫기',
    simulated: '모의',
    measured: '실측',
    hoursLabel: '시간',
    dateLabel: '날짜',
    monthLabel: '월',
    loading: '불러오는 중…',
    errorLoad: '데이터를 불러오지 못했습니다',
    caveatTitle: '주의',
    hourShort: '시',
    worst: '최악',
    limit: '한계',
    inHours: '{n}시간',
    featureFacility: '사업장',
    featureFeeder: '배전 구간',
    featureRoad: '도로',
    featureComplex: '산업단지',
    employees: '종업원',
    ksic: '업종 (KSIC)',
    feeder: '배전선로',
    lanes: '차로 수',
    roadClass: '도로 등급',
    capacity: '용량',
    kind: '종류',
    clickHint: '사업장·배전 구간을 클릭하면 시계열이 열립니다',
    diffScale: '차이 B − A: 파랑 감소, 빨강 증가',
    lang: 'English',
    selfDiffWarn: 'A와 B가 같은 시나리오입니다',
    all: '전체',
  },
  en: {
    title: 'Sandan control centre',
    subtitle: 'Digital twin of five industrial complexes in Incheon',
    scenario: 'Scenario',
    diffMode: 'Difference (B − A)',
    runA: 'A (base)',
    runB: 'B (compared)',
    interventions: 'Interventions',
    noInterventions: 'No intervention (as today)',
    layers: 'Layers',
    facilities: 'Facilities',
    feeders: 'Feeders (22.9 kV)',
    dynTitle: 'Shift change (dynamic traffic)',
    dynShow: 'Show queues on the roads',
    dynQueue: 'Queue length',
    dynVehicles: 'Workday {start}–{end}, {n} vehicles',
    dynGate: 'Busiest gate {gate}: queue at most {n} vehicles ({time})',
    dynCommute: 'Commute by car {t} min against {f} min at free flow ({p})',
    dynLongest: 'Longest queue {m} m ({time})',
    dynQueued: 'Vehicles queued on all roads',
    dynGateSeries: 'Queue at the busiest gate',
    roads: 'Roads',
    substations: 'Substations',
    gates: 'Gates',
    complexes: 'Complexes',
    colourBy: 'Colour by',
    legend: 'Legend',
    noData: 'no value',
    perYear: 'value of the year (independent of the hour)',
    alarms: 'Alarms',
    alarmsShown: '{shown} of {total}',
    noAlarms: 'No alarm',
    kpis: 'Key figures by complex',
    kpiDiff: 'B − A',
    time: 'Time',
    play: 'Play',
    pause: 'Pause',
    stepBack: 'Back',
    stepFwd: 'Forward',
    speed: 'Speed',
    speedUnit: '{n} h a step',
    peak: 'Peak hour',
    chart: 'Time series',
    day: 'Day',
    week: 'Week',
    year: 'Year',
    close: 'Close',
    simulated: 'simulated',
    measured: 'measured',
    hoursLabel: 'hour',
    dateLabel: 'date',
    monthLabel: 'month',
    loading: 'Loading…',
    errorLoad: 'Could not load the data',
    caveatTitle: 'Note',
    hourShort: 'h',
    worst: 'worst',
    limit: 'limit',
    inHours: '{n} h',
    featureFacility: 'Facility',
    featureFeeder: 'Feeder segment',
    featureRoad: 'Road',
    featureComplex: 'Complex',
    employees: 'Employees',
    ksic: 'Industry (KSIC)',
    feeder: 'Feeder',
    lanes: 'Lanes',
    roadClass: 'Road class',
    capacity: 'Capacity',
    kind: 'Kind',
    clickHint: 'Click a facility or a feeder segment for its time series',
    diffScale: 'Difference B − A: blue lower, red higher',
    lang: '한국어',
    selfDiffWarn: 'A and B are the same scenario',
    all: 'All',
  },
};

export const WEEKDAYS = {
  ko: ['일', '월', '화', '수', '목', '금', '토'],
  en: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
};

export const MONTHS = {
  ko: ['1월', '2월', '3월', '4월', '5월', '6월', '7월', '8월', '9월', '10월', '11월', '12월'],
  en: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
};

export const ALARM_KINDS = {
  ko: {
    undervoltage: '저전압', overvoltage: '과전압', overload: '과부하', congestion: '도로 혼잡',
    battery_full: '배터리 만충', battery_empty: '배터리 방전', deviation: '실측-모의 편차',
  },
  en: {
    undervoltage: 'Undervoltage', overvoltage: 'Overvoltage', overload: 'Overload', congestion: 'Congestion',
    battery_full: 'Battery full', battery_empty: 'Battery empty', deviation: 'Measured vs simulated',
  },
};

// Labels of the KPIs the server reports; an unknown key is shown as it is, underscores as spaces.
export const KPI_LABELS = {
  ko: {
    facilities: '사업장 수', annual_load_mwh: '연간 전력 소비', annual_fuel_mwh: '연간 연료 사용',
    pv_capacity_kwp: '태양광 설비용량', annual_pv_mwh: '연간 태양광 발전', pv_yield_kwh_per_kwp: '태양광 이용률 (kWh/kWp)',
    curtailed_mwh: '출력제한 발전량', annual_import_mwh: '연간 수전량', annual_export_mwh: '연간 역송량',
    peak_import_kw: '최대 수전 전력', self_sufficiency: '에너지 자급률', bill_krw: '연간 전기요금',
    fuel_cost_krw: '연간 연료비', export_credit_krw: '역송 수입', energy_cost_krw: '연간 에너지 비용',
    worst_feeder_undervoltage_hours: '저전압 시간 (최악 선로)', worst_feeder_overvoltage_hours: '과전압 시간 (최악 선로)',
    worst_feeder_overload_hours: '과부하 시간 (최악 선로)', pv_hosting_capacity_kwp: '태양광 수용 용량',
    car_km: '승용차 주행거리', truck_km: '화물차 주행거리', light_truck_km: '소형 화물차 주행거리',
    heavy_truck_km: '대형 화물차 주행거리', electric_truck_km: '전기 화물차 주행거리', vehicle_hours: '차량 통행시간',
    tco2e_scope1: '직접 배출 (Scope 1)', tco2e_scope2: '간접 배출 (Scope 2)', tco2e_transport: '교통 배출',
    tco2e_total: '온실가스 총배출', investment_krw: '투자비', annualised_cost_krw: '연간화 비용', om_cost_krw: '운영유지비',
  },
  en: {
    facilities: 'Facilities', annual_load_mwh: 'Electricity demand', annual_fuel_mwh: 'Fuel burned',
    pv_capacity_kwp: 'PV installed', annual_pv_mwh: 'PV output', pv_yield_kwh_per_kwp: 'PV yield',
    curtailed_mwh: 'PV curtailed', annual_import_mwh: 'Grid import', annual_export_mwh: 'Grid export',
    peak_import_kw: 'Peak import', self_sufficiency: 'Self-sufficiency', bill_krw: 'Electricity bill',
    fuel_cost_krw: 'Fuel cost', export_credit_krw: 'Export credit', energy_cost_krw: 'Energy cost',
    worst_feeder_undervoltage_hours: 'Undervoltage hours (worst feeder)',
    worst_feeder_overvoltage_hours: 'Overvoltage hours (worst feeder)',
    worst_feeder_overload_hours: 'Overload hours (worst feeder)', pv_hosting_capacity_kwp: 'PV hosting capacity',
    car_km: 'Car vehicle-km', truck_km: 'Truck vehicle-km', light_truck_km: 'Light truck vehicle-km',
    heavy_truck_km: 'Heavy truck vehicle-km', electric_truck_km: 'Electric truck vehicle-km',
    vehicle_hours: 'Vehicle-hours', tco2e_scope1: 'Emissions, scope 1', tco2e_scope2: 'Emissions, scope 2',
    tco2e_transport: 'Emissions, transport', tco2e_total: 'Emissions, total', investment_krw: 'Investment',
    annualised_cost_krw: 'Annualised cost', om_cost_krw: 'O&M cost',
  },
};

// Korean names of the gates of gis_data/incheon.gpkg (the layout carries English names only).
const GATES_KO = {
  gajwa_ic: '가좌IC (경인고속도로)',
  dohwa_ic: '도화IC (경인고속도로)',
  seo_incheon_ic: '서인천IC (경인고속도로)',
  bupyeong_ic: '부평IC (경인고속도로·서울외곽순환고속도로)',
  incheon_north_port: '인천북항',
  juan_industrial_complex_station: '주안국가산업단지역 (인천2호선, I217)',
  juan_station: '주안역 (1호선)',
  galsan_station: '갈산역 (인천1호선)',
  geomdan_oryu_station: '검단오류역 (인천1호선, I201)',
};

const ROAD_CLASSES = {
  ko: { external: '외부 연결로', arterial: '간선도로', collector: '집산도로', local: '국지도로' },
  en: { external: 'external', arterial: 'arterial', collector: 'collector', local: 'local' },
};

export function roadClassName(cls, lang) {
  return (ROAD_CLASSES[lang] && ROAD_CLASSES[lang][cls]) || cls || '';
}

export function t(lang, key, vars) {
  let s = (STRINGS[lang] && STRINGS[lang][key]) ?? STRINGS.en[key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replace(`{${k}}`, String(v));
  return s;
}

export function kpiLabel(key, lang) {
  return (KPI_LABELS[lang] && KPI_LABELS[lang][key]) || KPI_LABELS.en[key] || key.replace(/_/g, ' ');
}

export function alarmKind(kind, lang) {
  return (ALARM_KINDS[lang] && ALARM_KINDS[lang][kind]) || kind;
}

// A complex's name in the language: {name, name_ko}.
export function complexName(c, lang) {
  if (!c) return '';
  return lang === 'ko' ? c.name_ko || c.name : c.name || c.name_ko;
}

// A facility's name: the layout's names are "<complex name> factory 0001" or "... knowledge industry
// centre 0001"; in Korean they are said with the complex's Korean name.
export function facilityName(props, complex, lang) {
  const name = props.name || String(props.id ?? '');
  if (lang !== 'ko' || !complex) return name;
  const m = /(factory|knowledge industry centre)\s+(\d+)$/.exec(name);
  if (!m) return name;
  const kind = m[1] === 'factory' ? '공장' : '지식산업센터';
  return `${complex.name_ko || complex.name} ${kind} ${m[2]}`;
}

export function gateName(props, lang) {
  if (lang === 'ko' && GATES_KO[props.id]) return GATES_KO[props.id];
  return props.name || String(props.id ?? '');
}

// Units as shown: the server's unit strings, with Korean words where the unit is a word.
export function unitLabel(unit, lang) {
  if (unit === '1' || unit === 'share' || unit === '' || unit == null) return lang === 'ko' ? '비율' : 'share';
  if (unit === 'count') return lang === 'ko' ? '개' : '';
  if (unit === 'h') return lang === 'ko' ? '시간' : 'h';
  if (lang === 'ko') {
    if (unit === 'KRW') return '원';
    if (unit === 'MKRW') return '백만 원';
    if (unit === 'veh/h') return '대/시';
    if (unit === 'KRW/year') return '원/년';
  }
  return unit;
}
