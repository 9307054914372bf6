int flexos_test_anchor;
