declare i32 @parse(ptr)
define i32 @f(ptr %p) {
  %r = call i32 @parse(ptr %p)
  ret i32 %r
}
