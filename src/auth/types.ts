/** An authenticated principal, as every capability sees it. */
export interface AuthUser {
  readonly name: string;
  readonly admin: boolean;
}
