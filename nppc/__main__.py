from nppc.cli import main

raise SystemExit(main())
