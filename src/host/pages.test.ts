import assert from 'node:assert/strict';
import { it } from 'node:test';
import { renderDefaultPage, renderSuspendedPage } from './pages.js';

it('renderSuspendedPage is a whole document saying the account is suspended', () => {
  const page = renderSuspendedPage();
  assert.match(page, /^<!doctype html>\n<html lang="en">/);
  assert.match(page, /<title>Account suspended<\/title>/);
  assert.match(page, /<h1>This account is suspended<\/h1>/);
  assert.match(page, /<\/html>\n$/);
});

it('renderDefaultPage names the domain, and refuses a name that was not validated', () => {
  const page = renderDefaultPage('alice.example');
  assert.match(page, /<title>alice\.example<\/title>/);
  assert.match(page, /<h1>alice\.example<\/h1>/);
  for (const bad of ['<b>x</b>.example', 'Alice.example', 'a b.example', ''])
    assert.throws(() => renderDefaultPage(bad), /validated/, bad);
});
