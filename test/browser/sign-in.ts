/** Browser tests sign in as a dispatcher would: through the page's login form, never by setting the cookie. */
import type { Page } from 'playwright-core';

/** Wait for the login view, paste the token, submit, and wait until the page is signed in. */
export async function signInWithToken(page: Page, token: string): Promise<void> {
  await page.waitForSelector('#login:not([hidden])');
  await page.fill('#login-token input[name="token"]', token);
  await page.click('#login-token button');
  await page.waitForSelector('body.signed-in');
}

/** Go to a page of the dashboard and sign in there; the page then shows the view its address names. */
export async function openSignedIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await signInWithToken(page, token);
}
