from qihang.cli import main

main()
