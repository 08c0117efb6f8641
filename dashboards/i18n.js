/** Labels in English and Chinese (domain.md section 0). The choice is kept in localStorage. */

const STORAGE_KEY = 'loadwatch.locale';

/** @type {Record<'en'|'zh', Record<string, string>>} */
const LABELS = {
  en: {
    title: 'loadwatch · Dispatch', searchPlaceholder: 'Customer or meter: name, id, address…', allClasses: 'All classes', live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting in {s} s',
    noResults: 'No customer matches', results: '{n} of {total}', meters: 'meters', dismiss: 'Dismiss',
    pickCustomer: 'Search a customer or meter and open it.', classes: 'Classes', address: 'Address', phone: 'Phone',
    accountManager: 'Account manager', contract: 'Contract capacity', pfStandard: 'PF standard',
    meter: 'Meter', wiring: 'Wiring', nominal: 'Nominal', rated: 'Rated', ct: 'CT', pt: 'PT', side: 'Values',
    concentrator: 'Concentrator', openAlarms: 'Open alarms', range: 'Range', today: 'Today', last24h: 'Last 24 h',
    last48h: 'Last 48 h', loadCurve: 'Load curve', voltage: 'Voltage', current: 'Current',
    p: 'Active power P (kW)', q: 'Reactive power Q (kvar)', contractLine: 'Contract capacity (kVA ≈ kW at PF 1)',
    phaseA: 'Phase A', phaseB: 'Phase B', phaseC: 'Phase C', lineAB: 'Uab', lineCB: 'Ucb',
    alarms: 'Open alarms', severity: 'Severity', rule: 'Rule', phase: 'Phase', customer: 'Customer',
    start: 'Start', last: 'Last', peak: 'Peak', threshold: 'Limit', ack: 'Acknowledge', acked: 'Acked',
    noAlarms: 'No open alarms', ackTitle: 'Acknowledge alarm', comment: 'Comment', cancel: 'Cancel', noData: 'No data in this range', error: 'Error',
    secondary: 'secondary', primary: 'primary', time: 'Time', ackedBy: 'by {by}',
    'rule.V1': 'Voltage outside qualified band', 'rule.V2': 'Voltage outside assessment band',
    'rule.O1': 'Load rate over contract',
    'sev.CRITICAL': 'Critical', 'sev.MAJOR': 'Major', 'sev.MINOR': 'Minor', 'sev.WARNING': 'Warning',
    'sev.INDETERMINATE': 'Indeterminate',
    'wiring.1P': 'single-phase', 'wiring.3P3W': '3-phase 3-wire', 'wiring.3P4W': '3-phase 4-wire',
    'class.KEY': 'Key', 'class.TOP100': 'Top 100', 'class.DH_KEY': 'DH key', 'class.DH_GROWTH': 'DH growth',
    'class.DEDICATED': 'Dedicated', 'class.LV_NONRES': 'LV non-res.', 'class.RESIDENTIAL': 'Residential',
    viewOverview: 'Overview', viewMap: 'Map', viewCustomer: 'Customer', gridTitle: 'Load curves of {n} meters (last 24 h)',
    ovTotalLoad: 'Total load, today against yesterday (sum of primary kW)', ovClassLoad: 'Load per customer class, today (kW)',
    ovNow: 'Latest', ovYesterdaySameTime: 'Yesterday, same time', ovTotalNow: 'Total load (latest 15 min)',
    ovCompleteness: "Today's data completeness", ovConcentrators: 'Concentrators online',
    ovConcentratorSplit: '{online} online · {offline} offline · {unknown} unknown',
    yesterday: 'Yesterday', yesterdayP: 'P yesterday (kW)',
    allSeverities: 'All severities', allRules: 'All rules', allManagers: 'All account managers',
    clear: 'Clear', clearTitle: 'Clear alarm by hand',
    mapNoAlarm: 'No open alarm', mapCount: '{n} large customers with coordinates',
    alarmHistory: 'Alarm history', clearedAt: 'Cleared', state: 'State', stateActive: 'Active', stateCleared: 'Cleared', unacked: 'Unacked',
    noAlarmHistory: 'No alarms for this customer',
    loginTitle: 'Sign in', loginHint: 'With your user name and password, or paste an API token.',
    username: 'User name', password: 'Password', apiToken: 'API token', signIn: 'Sign in', signInToken: 'Sign in with token',
    loginOr: 'or', signOut: 'Sign out', signedInAs: 'Signed in as',
    loginBadPassword: 'Wrong user name or password.', loginBadToken: 'This token is not valid (wrong, revoked or expired).',
    loginUnreachable: 'Cannot reach the server. Check the network and try again.', loginTooMany: 'Too many attempts. Wait a while, then try again.',
    loginServerError: 'The server failed to sign you in. Try again later.', loginFailed: 'Sign-in failed.',
    loginNeedPassword: 'Enter user name and password.', loginNeedToken: 'Paste an API token.',
    loginNoCookie: 'Signed in, but the browser did not keep the session cookie (cookies blocked, or the site needs https).',
    loginExpired: 'Your session has ended. Sign in again to continue where you were.', loginSignedOut: 'You have signed out.',
    forbidden: 'Your role may not do this.', readOnly: 'Read only: your role may not acknowledge or clear alarms',
    'role.admin': 'Administrator', 'role.dispatcher': 'Dispatcher', 'role.viewer': 'Viewer', 'role.integrator': 'Integrator',
  },
  zh: {
    title: 'loadwatch · 调度监控', searchPlaceholder: '客户或电能表：名称、户号、表号、地址…', allClasses: '全部类别', live: '实时', connecting: '连接中…', reconnecting: '{s} 秒后重连',
    noResults: '无匹配客户', results: '{n} / {total}', meters: '块表', dismiss: '关闭',
    pickCustomer: '搜索客户或电能表并打开。', classes: '客户类别', address: '地址', phone: '电话',
    accountManager: '客户经理', contract: '合同容量', pfStandard: '力率考核标准',
    meter: '电能表', wiring: '接线方式', nominal: '额定电压', rated: '额定电流', ct: 'CT 变比', pt: 'PT 变比', side: '数值侧',
    concentrator: '集中器', openAlarms: '未关闭告警', range: '时间范围', today: '今日', last24h: '近 24 小时',
    last48h: '近 48 小时', loadCurve: '负荷曲线', voltage: '电压', current: '电流',
    p: '有功功率 P (kW)', q: '无功功率 Q (kvar)', contractLine: '合同容量 (kVA，功率因数 1 时 ≈ kW)',
    phaseA: 'A 相', phaseB: 'B 相', phaseC: 'C 相', lineAB: 'Uab', lineCB: 'Ucb',
    alarms: '未关闭告警', severity: '级别', rule: '规则', phase: '相别', customer: '客户',
    start: '开始时间', last: '最近', peak: '峰值', threshold: '限值', ack: '确认', acked: '已确认',
    noAlarms: '无未关闭告警', ackTitle: '确认告警', comment: '备注', cancel: '取消', noData: '该时段无数据', error: '错误',
    secondary: '二次侧', primary: '一次侧', time: '时间', ackedBy: '确认人 {by}',
    'rule.V1': '电压越限', 'rule.V2': '电压越考核限', 'rule.O1': '负载率越限',
    'sev.CRITICAL': '紧急', 'sev.MAJOR': '重要', 'sev.MINOR': '次要', 'sev.WARNING': '警告', 'sev.INDETERMINATE': '不确定',
    'wiring.1P': '单相', 'wiring.3P3W': '三相三线', 'wiring.3P4W': '三相四线',
    'class.KEY': '大客户/重要客户', 'class.TOP100': '用电量百强', 'class.DH_KEY': '百户重点', 'class.DH_GROWTH': '百户高成长',
    'class.DEDICATED': '专变/专线', 'class.LV_NONRES': '低压非居民', 'class.RESIDENTIAL': '居民',
    viewOverview: '总览', viewMap: '地图', viewCustomer: '客户', gridTitle: '{n} 块电表的负荷曲线（近 24 小时）',
    ovTotalLoad: '总负荷：今日与昨日对比（一次侧有功功率之和）', ovClassLoad: '各类客户今日负荷 (kW)',
    ovNow: '最新', ovYesterdaySameTime: '昨日同时刻', ovTotalNow: '总负荷（最近 15 分钟）',
    ovCompleteness: '今日采集完整率', ovConcentrators: '集中器在线',
    ovConcentratorSplit: '在线 {online} · 离线 {offline} · 未知 {unknown}',
    yesterday: '昨日', yesterdayP: '昨日有功 P (kW)',
    allSeverities: '全部级别', allRules: '全部规则', allManagers: '全部客户经理',
    clear: '清除', clearTitle: '手动清除告警',
    mapNoAlarm: '无未关闭告警', mapCount: '{n} 户有坐标的大客户',
    alarmHistory: '告警历史', clearedAt: '清除时间', state: '状态', stateActive: '活动', stateCleared: '已清除', unacked: '未确认',
    noAlarmHistory: '该客户无告警记录',
    loginTitle: '登录', loginHint: '使用用户名和密码登录，或粘贴 API 令牌。',
    username: '用户名', password: '密码', apiToken: 'API 令牌', signIn: '登录', signInToken: '使用令牌登录',
    loginOr: '或', signOut: '退出登录', signedInAs: '当前用户',
    loginBadPassword: '用户名或密码错误。', loginBadToken: '令牌无效（错误、已吊销或已过期）。',
    loginUnreachable: '无法连接服务器，请检查网络后重试。', loginTooMany: '尝试次数过多，请稍后再试。',
    loginServerError: '服务器登录处理失败，请稍后再试。', loginFailed: '登录失败。',
    loginNeedPassword: '请输入用户名和密码。', loginNeedToken: '请粘贴 API 令牌。',
    loginNoCookie: '登录已通过，但浏览器未保存会话 Cookie（Cookie 被禁用，或站点需要 https）。',
    loginExpired: '会话已结束，请重新登录，登录后回到原页面。', loginSignedOut: '您已退出登录。',
    forbidden: '当前角色无权执行此操作。', readOnly: '只读：当前角色不能确认或清除告警',
    'role.admin': '管理员', 'role.dispatcher': '调度员', 'role.viewer': '只读用户', 'role.integrator': '系统集成',
  },
};

/** @type {'en'|'zh'} */
let locale = localStorage.getItem(STORAGE_KEY) === 'zh' ? 'zh' : 'en';
/** @type {Array<() => void>} */
const listeners = [];

export const getLocale = () => locale;

/** @param {'en'|'zh'} next */
export function setLocale(next) {
  locale = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
  applyStatic();
  listeners.forEach((fn) => fn());
}

/** Re-render hook for views that hold translated text. @param {() => void} fn */
export const onLocaleChange = (fn) => { listeners.push(fn); };

/**
 * Translate a key; unknown keys fall back to English, then to `fallback` (e.g. a rule code we have no name for).
 * @param {string} key @param {Record<string, string|number>} [vars] @param {string} [fallback]
 */
export function t(key, vars, fallback) {
  const text = LABELS[locale][key] ?? LABELS.en[key] ?? fallback ?? key;
  return vars ? text.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? '')) : text;
}

/** Fill elements marked data-i18n / data-i18n-placeholder. */
export function applyStatic() {
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(/** @type {string} */ (el.getAttribute('data-i18n')));
  for (const el of document.querySelectorAll('[data-i18n-placeholder]')) {
    /** @type {HTMLInputElement} */ (el).placeholder = t(/** @type {string} */ (el.getAttribute('data-i18n-placeholder')));
  }
}
