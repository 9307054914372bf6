; A module with one function and one global (ShareSites_* tests).
@g = global i32 0
define void @f() {
  ret void
}
