from anomaly_desk.cli import main

main()
