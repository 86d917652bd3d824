// Run once by the mongo image's entrypoint on an empty volume (as the root user).
// commit-service gets a user that may read and write its database and nothing else: no admin
// role, no other database.
const user = process.env.COMMITVIEWER_MONGO_USER;
const password = process.env.COMMITVIEWER_MONGO_PASSWORD;
if (!user || !password) {
  throw new Error("COMMITVIEWER_MONGO_USER and COMMITVIEWER_MONGO_PASSWORD must be set");
}
db.getSiblingDB("commitviewer").createUser({
  user: user,
  pwd: password,
  roles: [{ role: "readWrite", db: "commitviewer" }],
});
