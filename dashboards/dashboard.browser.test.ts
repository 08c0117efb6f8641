/**
 * End-to-end through the page: the real service (in-process, ports 0, embedded database), a real
 * MQTT client publishing samples, Debian's chromium driven by playwright-core (never a downloaded browser).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInWithToken } from '../test/browser/sign-in.js';
import { authedApi, readAdminToken, type Api } from '../test/support/api.js';

const CHROMIUM = '/usr/bin/chromium';
const MAIN_TS = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL(`../test-artifacts/dashboard-${new Date().toISOString().replace(/[:.]/g, '-')}/`, import.meta.url));
const QUARTER_MS = 15 * 60_000;

const missing = [!existsSync(MAIN_TS) && 'src/main.ts does not exist yet', !existsSync(CHROMIUM) && `${CHROMIUM} is not installed`].filter(Boolean);
if (missing.length) console.log(`dashboard browser test skipped: ${missing.join('; ')}`);

const ARCHIVE_CSV = [
  'customer_id,customer_name,classes,address,phone,account_manager,contract_kva,pf_standard,lat,lon,meter_id,concentrator_id,wiring,nominal_voltage_v,rated_current_a,ct_ratio,pt_ratio,values_side',
  'BT001,浦东测试机械厂,KEY,"浦东新区, 测试路 8 号",021-5555-0001,王丽,400,0.9,31.2,121.5,BTM1,,1P,220,60,1,1,primary',
  'BT001,浦东测试机械厂,KEY,"浦东新区, 测试路 8 号",021-5555-0001,王丽,400,0.9,31.2,121.5,BTM2,,3P4W,380,100,1,1,primary',
  'BT002,Acme Bakery,LV_NONRES,Nanjing Road 5,,,,,,,BTM3,,3P4W,380,100,1,1,primary',
  'BT003,西郊热电,DEDICATED,青浦区 热电路 1 号,,李强,8000,0.9,31.1,121.1,BTM4,,3P3W,10000,400,1,1,primary',
].join('\n');

interface Service { httpPort: number; mqttPort: number; stop(): Promise<void> }

describe.skipIf(missing.length > 0)('dispatcher dashboard in chromium', () => {
  let svc: Service;
  let dataDir: string;
  let browser: Browser;
  let page: Page;
  let client: mqtt.MqttClient;
  let base: string;
  let api: Api;
  let adminToken: string;
  let adminActor: string;
  let viewer: { id: string; token: string };
  const pageErrors: string[] = [];

  const shot2 = async (p: Page, name: string) => p.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const shot = (name: string) => shot2(page, name);
  const publish = (topic: string, payload: object) => client.publishAsync(topic, JSON.stringify(payload), { qos: 1 });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    console.log(`dashboard screenshots: ${ARTIFACTS}`);
    dataDir = mkdtempSync(join(tmpdir(), 'loadwatch-dash-'));
    // A variable specifier: the test must compile before src/main.ts exists.
    const mainModule = '../src/main.js';
    const { startService } = (await import(mainModule)) as { startService(env: Record<string, string>): Promise<Service> };
    svc = await startService({ HTTP_PORT: '0', MQTT_PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn', MQTT_ALLOW_ANONYMOUS: 'true' });
    base = `http://127.0.0.1:${svc.httpPort}`;
    adminToken = readAdminToken(dataDir);
    api = authedApi(base, () => adminToken);
    // Audits name the signed-in person (token id and role), not the name typed beside the board.
    adminActor = `${adminToken.split('_')[1]} (admin)`;
    const imported = await api('/api/archive/import', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ format: 'csv', text: ARCHIVE_CSV }),
    });
    expect(imported.status, await imported.clone().text()).toBe(200);
    viewer = await issueToken('viewer');
    client = await mqtt.connectAsync(`mqtt://127.0.0.1:${svc.mqttPort}`, { clientId: `dash-test-${process.pid}` });
    browser = await chromium.launch({
      executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await client?.endAsync();
    await svc?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** A new API token of this role, issued by the admin. */
  const issueToken = async (role: string) => {
    const res = await api('/api/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `browser ${role}`, role }) });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as { id: string; token: string };
  };

  it('shows the login view and says what went wrong: wrong token, server unreachable, in English and Chinese', async () => {
    await page.goto(base);
    await page.waitForSelector('#login:not([hidden])');
    expect(await page.isHidden('main'), 'no dispatcher view before signing in').toBe(true);
    await shot('0-login');
    await page.fill('#login-token input[name="token"]', 'lw_nosuchid_wrongsecret');
    await page.click('#login-token button');
    await expect.poll(() => page.textContent('#login-error')).toContain('This token is not valid');
    await shot('0-login-wrong-token');
    await page.fill('#login-password input[name="username"]', 'nobody');
    await page.fill('#login-password input[name="password"]', 'wrong password');
    await page.click('#login-password button');
    await expect.poll(() => page.textContent('#login-error')).toContain('Wrong user name or password');
    await page.selectOption('#locale', 'zh');
    await expect.poll(() => page.textContent('#login-error')).toContain('用户名或密码错误');
    await shot('0-login-zh');
    // The network fails in the browser, as when the service is down: that is said apart from wrong credentials.
    await page.route('**/api/session', (route) => route.abort('connectionrefused'));
    await page.click('#login-token button');
    await expect.poll(() => page.textContent('#login-error')).toContain('无法连接服务器');
    await page.unroute('**/api/session');
    await page.selectOption('#locale', 'en');
    await expect.poll(() => page.textContent('#login-error')).toContain('Cannot reach the server');
    await shot('0-login-unreachable');

    await page.fill('#login-token input[name="token"]', adminToken);
    await page.click('#login-token button');
    await page.waitForSelector('body.signed-in');
    expect(await page.textContent('#who-role')).toBe('Administrator');
    expect(await page.isHidden('#login')).toBe(true);
  });

  it('finds a customer by its Chinese name and opens its archive card and charts', async () => {
    // The session cookie holds: the page opens signed in.
    await page.goto(base);
    await page.waitForSelector('body.signed-in');
    await page.fill('#search', '测试机械');
    await page.waitForSelector('#results li[data-customer="BT001"]');
    await shot('1-search');
    await page.click('#results li[data-customer="BT001"]');
    await page.waitForSelector('.card[data-customer="BT001"]');
    await expect.poll(() => page.textContent('.card')).toContain('王丽');
    expect(await page.locator('.meters tbody tr').count()).toBe(2);
    await page.waitForFunction(() => (window as any).__loadwatch?.live === 'live' && !!(window as any).__loadwatch.charts.load);
    expect(await page.evaluate(() => (window as any).__loadwatch.meterId)).toBe('BTM1');
    expect(pageErrors).toEqual([]);
  });

  it('draws a load sample published over MQTT into the open load chart', async () => {
    const tsMs = Math.floor(Date.now() / QUARTER_MS) * QUARTER_MS;
    await publish('meters/BTM1/load', { ts: tsMs, p: 123.4, q: 12.5, pf: 0.99 });
    const drawn = await page.waitForFunction((ts) => {
      const u = (window as any).__loadwatch.charts.load;
      const i = u.data[0].indexOf(ts);
      return i >= 0 ? { p: u.data[1][i], contract: u.data[3][i] } : null;
    }, tsMs, { timeout: 15_000 });
    expect(await drawn.jsonValue()).toEqual({ p: 123.4, contract: 400 });
    await shot('2-live-load');
  });

  it('reconnects after losing the live link and refills the point published meanwhile', async () => {
    const tsMs = Math.floor(Date.now() / QUARTER_MS) * QUARTER_MS - 2 * QUARTER_MS;
    await page.evaluate(() => (window as any).__loadwatch.dropLive());
    await page.waitForFunction(() => (window as any).__loadwatch.live !== 'live');
    await publish('meters/BTM1/load', { ts: tsMs, p: 77.7 });
    await page.waitForFunction(() => (window as any).__loadwatch.live === 'live', undefined, { timeout: 10_000 });
    await page.waitForFunction((ts) => {
      const u = (window as any).__loadwatch.charts.load;
      const i = u.data[0].indexOf(ts);
      return i >= 0 && u.data[1][i] === 77.7;
    }, tsMs, { timeout: 10_000 });
  });

  it('lists a voltage alarm of a KEY customer and acknowledges it', async () => {
    const lastMs = Math.floor(Date.now() / QUARTER_MS) * QUARTER_MS;
    // 300 V on a 220 V single-phase meter: outside both the qualified and the assessment band.
    await publish('meters/BTM1/voltage', { ts: lastMs - QUARTER_MS, a: 300 });
    await publish('meters/BTM1/voltage', { ts: lastMs, a: 300 });
    const row = page.locator('#alarm-rows tr[data-alarm]').filter({ hasText: 'BTM1' }).first();
    await row.waitFor({ timeout: 20_000 });
    await expect.poll(() => row.textContent()).toContain('浦东测试机械厂');
    expect(await row.textContent()).toMatch(/V[12]/);
    await expect.poll(() => page.evaluate(() => (window as any).__loadwatch.charts.voltage.data[1].filter((v: number) => v === 300).length)).toBe(2);
    await shot('3-alarm');

    const alarmId = await row.getAttribute('data-alarm');
    await row.locator('button.ack').click();
    await page.fill('#ack-dialog textarea', '已通知客户经理');
    await page.click('#ack-dialog button[value="ok"]');
    const acked = page.locator(`#alarm-rows tr[data-alarm="${alarmId}"]`);
    await expect.poll(() => acked.textContent(), { timeout: 10_000 }).toContain(adminActor);
    const res = await api('/api/alarms?state=all&limit=200');
    const stored = ((await res.json()) as { items: { id: string; acknowledged: boolean; ackBy: string }[] }).items.find((a) => a.id === alarmId);
    expect(stored).toMatchObject({ acknowledged: true, ackBy: adminActor });
    await shot('4-acknowledged');
  });

  it('lands on the overview and shows per-class totals of the samples published', async () => {
    const tsMs = Math.floor(Date.now() / QUARTER_MS) * QUARTER_MS;
    await publish('meters/BTM1/load', { ts: tsMs, p: 100 });
    await publish('meters/BTM2/load', { ts: tsMs, p: 10 });
    await publish('meters/BTM3/load', { ts: tsMs, p: 7 });
    await page.goto(base);
    // The page's module boots after its session check (a top-level await), which the load event does not wait for.
    await page.waitForFunction(() => (window as any).__loadwatch !== undefined);
    expect(await page.evaluate(() => (window as any).__loadwatch.view)).toBe('overview');
    const cell = (cls: string) => page.locator(`#overview tr[data-class="${cls}"] td.now`);
    // The samples are stored a moment after publishing: switch views until the overview reloads with them.
    await expect.poll(async () => {
      await page.click('.tabs button[data-view="map"]');
      await page.click('.tabs button[data-view="overview"]');
      return [await cell('KEY').textContent(), await cell('LV_NONRES').textContent()];
    }, { timeout: 15_000, interval: 500 }).toEqual(['110 kW', '7 kW']);
    expect(await page.textContent('[data-kpi="ovTotalNow"] .kpi-value')).toBe('117 kW');
    expect(await cell('DEDICATED').textContent()).toBe('—');
    const total = await page.evaluate((ts) => {
      const u = (window as any).__loadwatch.overviewCharts.total;
      return u.data[1][u.data[0].indexOf(ts)];
    }, tsMs);
    expect(total).toBe(117);
    expect(await page.isHidden('#error'), 'no error banner').toBe(true);
    await shot('6-overview');
  });

  it('acknowledges in one page and clears in another, each change reaching the other page live', async () => {
    const lastMs = Math.floor(Date.now() / QUARTER_MS) * QUARTER_MS;
    const second = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    second.on('pageerror', (err) => pageErrors.push(err.message));
    await second.goto(base);
    const dispatcherToken = (await issueToken('dispatcher')).token;
    await signInWithToken(second, dispatcherToken);
    expect(await second.textContent('#who-role')).toBe('Dispatcher');
    await second.waitForFunction(() => (window as any).__loadwatch?.live === 'live');
    // 240 V phase voltage on a 380 V 3P4W meter of a KEY customer: over the qualified band (234.75 V) only.
    await publish('meters/BTM2/voltage', { ts: lastMs - QUARTER_MS, a: 240, b: 220, c: 220 });
    await publish('meters/BTM2/voltage', { ts: lastMs, a: 240, b: 220, c: 220 });
    const rowIn = (p: Page) => p.locator('#alarm-rows tr[data-alarm]').filter({ hasText: 'BTM2' }).first();
    await rowIn(page).waitFor({ timeout: 20_000 });
    await rowIn(second).waitFor({ timeout: 20_000 });
    const alarmId = await rowIn(page).getAttribute('data-alarm');

    await page.selectOption('#alarm-filters select[data-filter="cls"]', 'DEDICATED');
    await expect.poll(() => page.locator('#alarm-rows tr[data-alarm]').count()).toBe(0);
    expect(await page.textContent('#alarm-count')).toMatch(/^0 \/ [1-9]\d*$/);
    await page.selectOption('#alarm-filters select[data-filter="cls"]', 'KEY');
    await page.selectOption('#alarm-filters select[data-filter="rule"]', 'V1');
    await expect.poll(() => page.locator('#alarm-rows tr[data-alarm]').filter({ hasText: 'BTM2' }).count()).toBe(1);
    expect(await page.locator('#alarm-rows tr[data-alarm]').filter({ hasNotText: 'V1' }).count()).toBe(0);

    await page.locator(`#alarm-rows tr[data-alarm="${alarmId}"] button.ack`).click();
    await page.fill('#ack-dialog textarea', '已电话联系');
    await page.click('#ack-dialog button[value="ok"]');
    await expect.poll(() => second.locator(`#alarm-rows tr[data-alarm="${alarmId}"]`).textContent(), { timeout: 10_000 }).toContain(adminActor);
    await shot('7-board-filtered-acked');

    await second.locator(`#alarm-rows tr[data-alarm="${alarmId}"] button.clear`).click();
    await second.fill('#ack-dialog textarea', '现场已处理');
    await second.click('#ack-dialog button[value="ok"]');
    await expect.poll(() => page.locator(`#alarm-rows tr[data-alarm="${alarmId}"]`).count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => second.locator(`#alarm-rows tr[data-alarm="${alarmId}"]`).count()).toBe(0);
    const stored = await (await api(`/api/alarms/${alarmId}`)).json();
    expect(stored).toMatchObject({ active: false, acknowledged: true, ackBy: adminActor });
    const history = await (await api(`/api/alarms/${alarmId}/history`)).json();
    // The clear is recorded as the dispatcher's token that made it: the server takes the actor from the credential.
    expect(history.items.map((e: { type: string; actor: string }) => `${e.type} ${e.actor}`)).toContain(`cleared ${dispatcherToken.split('_')[1]} (dispatcher)`);
    await page.selectOption('#alarm-filters select[data-filter="cls"]', '');
    await page.selectOption('#alarm-filters select[data-filter="rule"]', '');
    await second.close();
  });

  it('places every large customer with lat/lon on the map, coloured by its worst open alarm, and opens it on click', async () => {
    await page.click('.tabs button[data-view="map"]');
    await page.waitForSelector('#map .map-point');
    expect(await page.locator('#map .map-point').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-customer')).sort())).toEqual(['BT001', 'BT003']);
    expect(await page.getAttribute('#map .map-point[data-customer="BT001"]', 'class')).toMatch(/sev-(CRITICAL|MAJOR)/);
    expect(await page.getAttribute('#map .map-point[data-customer="BT003"]', 'class')).toContain('sev-NONE');
    expect(await page.isHidden('#error'), 'no error banner').toBe(true);
    await shot('8-map');
    await page.click('#map .map-point[data-customer="BT003"] circle');
    await page.waitForSelector('.card[data-customer="BT003"]');
    expect(await page.evaluate(() => (window as any).__loadwatch.view)).toBe('customer');
  });

  it('shows yesterday beside today, the qualified voltage band and the alarm history on the customer view', async () => {
    await page.fill('#search', 'BT001');
    await page.click('#results li[data-customer="BT001"]');
    await page.waitForSelector('.card[data-customer="BT001"]');
    await page.waitForSelector('.history-table tr[data-alarm]');
    expect(await page.locator('.history-table tr[data-alarm]').count()).toBeGreaterThan(0);
    await page.waitForFunction(() => (window as any).__loadwatch.charts.load?.series.length === 5);
    const scale = await page.evaluate(() => {
      const u = (window as any).__loadwatch.charts.voltage;
      return { min: u.scales.y.min, max: u.scales.y.max };
    });
    // BTM1 is 1P 220 V: the band 198..235.4 V stays in view.
    expect(scale.min).toBeLessThan(198);
    expect(scale.max).toBeGreaterThan(235.4);
    await shot('9-customer-history');
    expect(pageErrors).toEqual([]);
  });

  it('switches labels to Chinese and shows API errors with their code', async () => {
    await page.selectOption('#locale', 'zh');
    await expect.poll(() => page.textContent('.alarms h2')).toContain('未关闭告警');
    await page.evaluate(() => { location.hash = '#/customer/NO_SUCH_CUSTOMER'; location.reload(); });
    await page.waitForSelector('#error:not([hidden])');
    expect(await page.textContent('#error')).toContain('CUSTOMER_NOT_FOUND');
    expect(await page.evaluate(() => localStorage.getItem('loadwatch.locale'))).toBe('zh');
    await shot('5-zh-error');
  });

  it('shows a viewer the alarm board without acknowledge or clear; a revoked token ends the session at the live link, and signing in again returns to the view', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    // Records each WebSocket's close code, to see that the server's 4401 is what ended the session.
    await ctx.addInitScript(() => {
      const Native = window.WebSocket;
      (window as any).WebSocket = class extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols);
          this.addEventListener('close', (ev) => ((window as any).__wsCloseCodes ??= []).push(ev.code));
        }
      };
    });
    const seen = await ctx.newPage();
    seen.on('pageerror', (err) => pageErrors.push(err.message));
    await seen.goto(base);
    await signInWithToken(seen, viewer.token);
    expect(await seen.textContent('#who-role')).toBe('Viewer');
    await seen.waitForFunction(() => (window as any).__loadwatch?.live === 'live');
    const rows = seen.locator('#alarm-rows tr[data-alarm]');
    await rows.first().waitFor();
    expect(await rows.count()).toBeGreaterThan(0);
    expect(await seen.locator('#alarm-rows button').count(), 'no acknowledge or clear button').toBe(0);
    await shot2(seen, '10-viewer-board');

    // Revoked while the page is open: the server closes the open live link (4401) within its 30 s recheck, the
    // page asks /api/session, and shows the login view.
    await seen.click('.tabs button[data-view="map"]');
    const revoked = await api(`/api/tokens/${viewer.id}`, { method: 'DELETE' });
    expect(revoked.status, await revoked.clone().text()).toBe(204);
    await seen.waitForSelector('#login:not([hidden])', { timeout: 45_000 });
    expect(await seen.evaluate(() => (window as any).__wsCloseCodes)).toContain(4401);
    expect(await seen.textContent('#login-reason')).toContain('Your session has ended');
    expect(await seen.evaluate(() => (window as any).__loadwatch.live)).toBe('signed-out');
    await shot2(seen, '11-login-session-ended');

    // Signed in again (now as admin): the same view, the live link back, and the buttons this role may use.
    await signInWithToken(seen, adminToken);
    expect(await seen.evaluate(() => (window as any).__loadwatch.view)).toBe('map');
    await seen.waitForFunction(() => (window as any).__loadwatch.live === 'live');
    await expect.poll(() => seen.locator('#alarm-rows button.clear').count()).toBeGreaterThan(0);
    expect(await seen.textContent('#who-role')).toBe('Administrator');
    await ctx.close();
  });

  it('signs a user in with name and password, and says so in words when the server refuses an action (403)', async () => {
    const created = await api('/api/users', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'zhao.min', role: 'dispatcher', password: 'correct horse battery' }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const ctx = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const user = await ctx.newPage();
    user.on('pageerror', (err) => pageErrors.push(err.message));
    await user.goto(base);
    await user.waitForSelector('#login:not([hidden])');
    await user.fill('#login-password input[name="username"]', 'zhao.min');
    await user.fill('#login-password input[name="password"]', 'correct horse battery');
    await user.click('#login-password button');
    await user.waitForSelector('body.signed-in');
    expect(await user.textContent('#who-name')).toBe('zhao.min');
    expect(await user.textContent('#who-role')).toBe('Dispatcher');
    const clear = user.locator('#alarm-rows button.clear').first();
    await clear.waitFor();

    // The admin makes the user a viewer while the page still offers the buttons: the server refuses, the page says why.
    const demoted = await api('/api/users/zhao.min', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'viewer' }) });
    expect(demoted.status, await demoted.clone().text()).toBe(200);
    await clear.click();
    await user.fill('#ack-dialog textarea', '应被拒绝');
    await user.click('#ack-dialog button[value="ok"]');
    await user.waitForSelector('#error:not([hidden])');
    expect(await user.textContent('#error')).toContain('FORBIDDEN');
    expect(await user.textContent('#error')).toContain('Your role may not do this');
    // The page reads the role again and takes away the buttons it should no longer offer.
    await expect.poll(() => user.textContent('#who-role')).toBe('Viewer');
    await expect.poll(() => user.locator('#alarm-rows button').count()).toBe(0);
    await shot2(user, '12-forbidden');
    await ctx.close();
  });

  it('signs out to the login view, and the session is gone', async () => {
    await page.click('.tabs button[data-view="map"]');
    await page.click('#sign-out');
    await page.waitForSelector('#login:not([hidden])');
    expect(await page.textContent('#login-reason')).toContain('已退出登录');
    await shot('13-signed-out-zh');
    expect(await page.evaluate(async () => (await fetch('/api/session')).status)).toBe(401);
    await page.reload();
    await page.waitForSelector('#login:not([hidden])');
    await signInWithToken(page, adminToken);
    expect(await page.evaluate(() => (window as any).__loadwatch.view)).toBe('map');
    expect(pageErrors).toEqual([]);
  });
});
