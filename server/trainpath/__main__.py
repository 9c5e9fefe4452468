from trainpath.cli.main import main

raise SystemExit(main())
